"""The project's own PyTorch definitions of the upstream speaker encoders (no SpeechBrain / Resemblyzer needed)."""
