"""bertkit evaluation suite: run loop, leaderboards, comparisons, GLUE submissions (metrics: bertkit/metrics).

    python -m evaluation run --model default --tasks glue,squad,ner,srl,translation,fill-mask
    python -m evaluation leaderboard results/
    python -m evaluation compare results/A.json results/B.json

See evaluation/README.md.
"""
