"""The page in English and Chinese (简体中文), for the readers of the Chinese tutorial this project grew from.

Gradio 6 translates in the browser (`gr.I18n`, picked by the browser's language or the page's settings
panel). The keys are the English texts themselves: after the app is built, `localize` walks its
components and marks every tab title, label, help text, button and help paragraph that has a Chinese
version, so the builders keep plain English strings and a text without a translation stays English.
Error messages are made on the server: `error_message` words the common ones in Chinese when the
browser asks for Chinese (its Accept-Language header)."""
from __future__ import annotations

import re

import gradio as gr

ZH = {
    # header and tabs
    "Fill-mask": "完形填空", "Classify": "文本分类", "Pairs": "句对", "QA": "问答", "Entities": "命名实体",
    "Semantic roles": "语义角色", "Translate": "翻译", "Tokenizer": "分词器", "Attention": "注意力",
    "Explain": "解释", "Fine-tune": "微调", "Leaderboard": "排行榜", "Model": "模型",
    # shared
    "Task": "任务", "Enter submits": "按回车提交", "Raw output (JSON)": "原始输出（JSON）",
    "Prediction": "预测", "Text": "文本", "Sentence": "句子", "Run": "运行",
    "default · a local folder (save_pretrained or `bertkit train` output) · a hub id":
        "default · 本地文件夹（save_pretrained 或 `bertkit train` 的输出）· Hub 模型 id",
    "default · a hub id (local folders are turned off on this server)": "default · Hub 模型 id（本服务器不接受本地文件夹）",
    # fill-mask
    "Write `[MASK]` wherever a word is missing — as many as you like. BERT proposes the top-k words for every "
    "mask at once (its pre-training task).":
        "在缺词的地方写 `[MASK]`，数量不限。BERT 会同时为每个掩码给出前 k 个候选词（这正是它的预训练任务）。",
    "Text with [MASK]s": "含 [MASK] 的文本", "Enter submits; [mask] and <mask> work too": "按回车提交；[mask] 与 <mask> 也可以",
    "Top-k per mask": "每个掩码的候选数", "Fill the masks": "填空", "Best fill": "最佳填充", "Candidates per mask": "每个掩码的候选词",
    # classify and pairs
    "One sentence in, a probability for every label out.": "输入一句话，输出每个标签的概率。",
    "First sentence": "第一句", "Second sentence": "第二句", "Compare": "比较",
    "Two sentences in: are they paraphrases, does the first entail the second, how similar are they (STS-B, 0–5)? "
    "BERT reads them as one sequence: `[CLS] A [SEP] B [SEP]`.":
        "输入两句话：它们是否同义？第一句是否蕴含第二句？有多相似（STS-B，0–5）？BERT 把它们当作一个序列来读：`[CLS] A [SEP] B [SEP]`。",
    # QA
    "Question": "问题", "Context": "上下文", "Candidate spans": "候选片段数", "No-answer threshold": "无答案阈值",
    "Answer": "回答", "Answer in its context": "答案在上下文中的位置", "Top candidate spans": "得分最高的候选片段",
    "up to 60,000 characters; long texts are read in windows": "最多 60,000 个字符；长文本按重叠窗口分段阅读",
    "Ask a question about a text: BERT points at the answer's start and end inside it. Texts longer than one window "
    "(about 380 tokens) are read in overlapping windows, up to 60,000 characters; with `squad_v2` it may answer "
    "*no answer*.":
        "就一段文本提问：BERT 在文中指出答案的起止位置。超过一个窗口（约 380 个词元）的文本按重叠窗口分段阅读，"
        "最多 60,000 个字符；使用 `squad_v2` 时它可能回答*无答案*。",
    "squad always answers: the threshold is not used": "squad 总会给出答案：不使用阈值",
    # NER, SRL, translation
    "Names of people (PER), organisations (ORG), places (LOC) and other names (MISC), tagged word by word (IOB2) "
    "and joined into spans.": "人名（PER）、机构名（ORG）、地名（LOC）及其他专名（MISC），逐词标注（IOB2）后合并成片段。",
    "Find entities": "查找实体",
    "Who did what to whom, when and where: PropBank roles (ARG0 = agent, ARG1 = patient/theme, ARGM-TMP = time, "
    "ARGM-LOC = place, …) of each predicate, one frame per predicate.":
        "谁在何时何地对谁做了什么：每个谓词的 PropBank 语义角色（ARG0 = 施事，ARG1 = 受事/客体，ARGM-TMP = 时间，"
        "ARGM-LOC = 地点……），每个谓词一个框架。",
    "Predicate": "谓词", "resets to every verb when the sentence changes": "句子改变时重置为“所有动词”",
    "Label roles": "标注语义角色", "Frames": "框架", "Arguments": "论元",
    "German → English. Encoder and decoder both start from BERT (bert2bert); beam search keeps the best `beams` "
    "partial translations at every step.":
        "德语 → 英语。编码器和解码器都从 BERT 初始化（bert2bert）；束搜索在每一步保留最好的 `beams` 个部分译文。",
    "German": "德语", "English": "英语", "Beams": "束宽",
    # tokenizer, attention, explain
    "Second text (optional, for pairs)": "第二段文本（可选，用于句对）", "Tokenize": "分词", "Tokens": "词元",
    "Raw encoding (JSON)": "原始编码（JSON）", "Enter submits; the sliders redraw": "按回车提交；拖动滑块即重绘",
    "Second sentence (optional)": "第二句（可选）", "Layer": "层", "Head": "注意力头", "Average over heads": "对所有头取平均",
    "Hide [CLS] and [SEP]": "隐藏 [CLS] 和 [SEP]", "Show attention": "显示注意力", "Raw matrix (JSON)": "原始矩阵（JSON）",
    "Second sentence (pair tasks)": "第二句（句对任务）", "Method": "方法", "Integrated-gradients steps": "积分梯度步数",
    "Saliency (red: towards the label, purple: against)": "显著性（红色：支持该标签，紫色：反对）", "Per word": "逐词",
    "Raw attributions (JSON)": "原始归因（JSON）",
    # fine-tune
    "Labelled examples (CSV or JSONL)": "带标签的样本（CSV 或 JSONL）", "Task (sets the labels)": "任务（决定标签）",
    "Base model": "基础模型", "Training steps": "训练步数", "Batch size": "批大小", "Learning rate": "学习率",
    "Your own labels (optional)": "自定义标签（可选）",
    "comma-separated, like the CLI's --labels; empty: the task's labels": "用逗号分隔，相当于命令行的 --labels；留空则使用任务自带的标签",
    "Train": "训练", "Cancel": "取消", "Loss": "损失", "Download this run (zip)": "下载本次训练结果（zip）",
    "Run id (to try the head)": "运行 id（用于试用该分类头）", "Every finished run of this session": "本次会话中完成的所有训练",
    "Try it": "试一试", "Predict": "预测",
    # leaderboard and model
    "Δ against": "对比基准", "the published row each measured row is compared with": "每个实测行与之比较的已发表结果",
    "Refresh": "刷新", "Run evaluation (adds a row)": "运行评测（新增一行）", "Tasks": "任务", "Examples per task": "每个任务的样本数",
    "Run evaluation": "运行评测", "Plots": "图表", "Show": "显示", "Which model each tab uses": "各标签页所用的模型",
    "Command line": "命令行", "Model card": "模型卡片", "Provenance": "来源",
    "Where each tab's answers come from, how good each head is on held-out data, and how to get the same answers "
    "outside this page.": "各标签页的答案从何而来、每个分类头在留出数据上的表现，以及如何在本页面之外得到同样的答案。",
}
# the app's header (demo/app.py shows it) and its translation
HEADER = """# bertkit · BERT workbench
Every BERT application in one place, and a look inside: tokens, attention and saliency. Each tab takes a
model: `default` (the embedded MiniLM encoder with bertkit's trained heads), a local folder, or a hub id.
Under every answer: how good that head is on held-out data, and what it was trained on."""
ZH_HEADER = ("# bertkit · BERT 工作台\n所有 BERT 应用集于一处，并可深入观察：词元、注意力与显著性。每个标签页都可选择模型："
             "`default`（内置 MiniLM 编码器加 bertkit 训练好的分类头）、本地文件夹或 Hub 模型 id。每个答案下方都会说明"
             "该分类头在留出数据上的表现，以及它的训练数据。")
ATTRIBUTES = ("label", "info", "placeholder")
API_ONLY = "bertkit-api"  # hidden API inputs keep their plain labels (the API page shows them)


def i18n() -> gr.I18n:
    """The translations `launch(i18n=...)` sends to the browser."""
    zh = dict(ZH, **{HEADER: ZH_HEADER})
    return gr.I18n(en={k: k for k in zh}, **{"zh-CN": zh, "zh": zh})


def localize(demo: gr.Blocks) -> int:
    """Mark every visible text of the built app that has a translation; returns how many."""
    known = dict(ZH, **{HEADER: ZH_HEADER})
    marked = 0
    for block in demo.blocks.values():
        if getattr(block, "visible", True) is False:  # the endpoints' own hidden inputs
            continue
        for attribute in ATTRIBUTES + (("value",) if isinstance(block, (gr.Markdown, gr.Button)) else ()):
            text = getattr(block, attribute, None)
            if isinstance(text, str) and text in known:
                setattr(block, attribute, gr.i18n.I18nData(text))
                marked += 1
    return marked


# ---- error messages, worded on the server --------------------------------------------------------
WHAT = {"text": "文本", "question": "问题", "context": "上下文", "German text": "德语文本", "first sentence": "第一句",
        "second sentence": "第二句"}
ERRORS = [
    (re.compile(r"^(?P<what>[\w ]+) is empty: type some text$"), "{what}为空：请输入文本"),
    (re.compile(r"^(?P<what>[\w ]+) is (?P<n>[\d,]+) characters long; this demo takes at most (?P<max>[\d,]+)\. "
                r"Shorten it\.$"), "{what}长 {n} 个字符；本演示最多接受 {max} 个字符，请缩短。"),
    (re.compile(r"^(?P<what>[\w ]+) contains a control character \((?P<code>U\+[0-9A-F]+) at position (?P<pos>\d+)\); "
                r"remove it and try again$"), "{what}在第 {pos} 个位置含有控制字符（{code}），请删除后重试"),
    (re.compile(r"^a question needs a context: paste the paragraph that holds the answer$"),
     "问题需要上下文：请粘贴包含答案的段落"),
    (re.compile(r"^no \[MASK\] in the text.*$"), "文本中没有 [MASK]：请在缺词处写 [MASK]"),
    (re.compile(r"^upload a CSV or JSONL file of labelled examples first$"), "请先上传带标签样本的 CSV 或 JSONL 文件"),
    (re.compile(r"^(?P<what>[\w ]+) must be (a whole number|a number) from (?P<low>\S+) to (?P<high>\S+); got (?P<v>.*)$"),
     "{what}必须是 {low} 到 {high} 之间的数，收到的是 {v}"),
    (re.compile(r"^cannot use the uploaded file: (?P<rest>.*)$"), "无法使用上传的文件：{rest}"),
]


def wants_chinese(request) -> bool:
    """Whether the browser asks for Chinese first (Accept-Language: zh-CN,zh;q=0.9,...)."""
    headers = getattr(request, "headers", None) or {}
    language = (headers.get("accept-language") or "").split(",")[0].strip().lower()
    return language.startswith("zh")


def error_message(message: str, request=None) -> str:
    """An error as the page shows it: in Chinese for a Chinese browser where the message is known."""
    if request is None or not wants_chinese(request):
        return message
    for pattern, template in ERRORS:
        found = pattern.match(message)
        if found:
            parts = {k: WHAT.get(v, v) for k, v in found.groupdict().items()}
            return template.format(**parts)
    return message
