"""The bertkit Gradio app: one module per tab, composed by `demo.app.build_demo`."""
