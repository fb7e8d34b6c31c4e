"""Which tab serves which task: one row per task family (the pipeline UI table of transformers).

A task belongs to the first row whose family class and input fields it has, so a new task file in
an existing family shows up in that family's tab (task picker, examples, Model tab) with no edit
here. Each row names the module that holds the family's input components (`build`), its renderer
(the endpoint function that turns a predictor output into the tab's outputs) and its `api_name`.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from . import classify, fill_mask, ner, pair, qa, srl, translation


@dataclass(frozen=True)
class FamilyTab:
    title: str  # tab title
    family: str  # class name of the task's family object (bertkit/families/)
    inputs: tuple[str, ...]  # the task's input fields (Task.inputs)
    module: ModuleType  # build(config, tasks), the endpoint function, API_NAME, client_args(...)

    @property
    def id(self) -> str:
        return self.module.__name__.rsplit(".", 1)[-1]

    def serves(self, task) -> bool:
        return type(task.family).__name__ == self.family and tuple(task.inputs) == self.inputs

    def tasks(self) -> list:
        """The registered tasks of this family, in the registry's order."""
        import bertkit

        return [t for t in bertkit.all_tasks() if self.serves(t)]


FAMILY_TABS = [
    FamilyTab("Fill-mask", "FillMask", ("text",), fill_mask),
    FamilyTab("Classify", "SequenceClassification", ("text",), classify),
    FamilyTab("Pairs", "SequenceClassification", ("text", "text_pair"), pair),
    FamilyTab("QA", "QuestionAnswering", ("question", "context"), qa),
    FamilyTab("Entities", "TokenTagging", ("text",), ner),
    FamilyTab("Semantic roles", "RoleLabelling", ("text", "predicate"), srl),
    FamilyTab("Translate", "Translation", ("text",), translation),
]


def tab_of(task) -> FamilyTab | None:
    """The row that serves `task` (None: a family the app has no tab for yet)."""
    return next((row for row in FAMILY_TABS if row.serves(task)), None)


def classification_tasks() -> list:
    """Tasks the Explain and Fine-tune tabs take: the Classify and Pairs rows."""
    return [t for row in FAMILY_TABS if row.module in (classify, pair) for t in row.tasks()]

