"""Data helpers of the training tests (a plain module: conftest.py names are taken by other test folders)."""
import csv

REVIEWS = [("a wonderful, moving film", "positive"), ("dull and far too long", "negative"),
           ("brilliant acting and a great story", "positive"), ("a boring mess", "negative")]


def write_csv(path, rows, header=("review", "sentiment")):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
