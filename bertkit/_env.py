"""Process-wide settings that must be in place before any Hugging Face library is imported.

Analytics and telemetry calls are switched off (they wait on the network at import and launch);
`setdefault` keeps a user's own choice. Hub access is not switched off here: `bertkit.models`
probes the hub with a 2-second limit only when a hub id is actually asked for.
"""
import os

for _name, _value in {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_EVALUATE_OFFLINE": "1",  # our metrics are local modules; evaluate would look up the hub first
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}.items():
    os.environ.setdefault(_name, _value)
