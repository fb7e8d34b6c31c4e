"""A long QA context for the app's tests: paragraphs on unrelated topics (written for these tests),
repeated to the length wanted, with one paragraph that holds the answer somewhere in the middle."""

FILLER = [
    "Rain gardens are shallow planted hollows that collect water running off roofs and driveways. Their soil "
    "is loosened and mixed with compost so that water soaks in within a day, and the plants chosen for them "
    "tolerate both standing water in spring and dry spells in late summer. Towns that encourage them report "
    "fewer flooded basements after heavy storms, and the gardens also give bees and butterflies a place to feed.",
    "The rules of chess changed slowly over several centuries. The queen, once a weak piece that moved a single "
    "square diagonally, became the strongest piece on the board in fifteenth-century Spain, and castling took "
    "its modern form even later. Tournament time controls came later still, with mechanical clocks appearing in "
    "the second half of the nineteenth century to stop players from thinking for hours over a single move.",
    "Sourdough bread rises because of a culture of wild yeasts and lactic acid bacteria kept alive in a mixture "
    "of flour and water. Bakers feed the culture regularly, discarding part of it each time, and the bacteria "
    "give the bread its sour taste. A long, cool fermentation overnight develops more flavour than a quick warm "
    "one, and a very hot oven with steam in the first minutes gives the loaf its thick, blistered crust.",
    "Glaciers move because ice under its own weight deforms like a very stiff fluid, and because meltwater at "
    "the base lets the ice slide over the rock beneath. As they move they scrape the valley floor, carrying "
    "boulders far from where they started, and when the ice retreats it leaves behind moraines, polished rock "
    "and lakes dammed by gravel. Some valley glaciers in the Alps have lost more than half their volume.",
    "Early railway timetables forced towns to agree on the time of day. Before the railways each town kept its "
    "own local time set by the sun, so noon in a western town came several minutes after noon in an eastern "
    "one. Railway companies published schedules in a single standard time, and over a few decades whole "
    "countries adopted it, later dividing the world into the time zones that are still used today.",
    "Octopuses have a large nervous system, most of it spread through their eight arms rather than held in the "
    "central brain. Each arm can taste and touch what it grips and can keep moving for a while even when cut "
    "off from the brain. In laboratories octopuses have opened screw-top jars, recognised individual keepers "
    "and escaped from tanks at night, which has made them a favourite subject for studies of animal learning.",
]
ANSWER = ("The observatory on Mount Calder was run for thirty years by Tobias Renwick, an astronomer who had "
          "trained as a clockmaker. He catalogued more than four hundred variable stars there and built the "
          "observatory's first spectrograph himself, grinding its prism from a block of glass bought in Leipzig.")
QUESTION = "Who ran the observatory on Mount Calder?"
EXPECTED = "Tobias Renwick"


def haystack(min_chars: int = 50_000) -> str:
    """Filler paragraphs around the answer paragraph (placed in the middle), at least `min_chars` long."""
    paragraphs, n = [], 0
    while sum(len(p) + 2 for p in paragraphs) < min_chars:
        paragraphs.append(FILLER[n % len(FILLER)])
        n += 1
    paragraphs.insert(len(paragraphs) // 2, ANSWER)
    return "\n\n".join(paragraphs)
