"""Answering: the assistant (retrieval, the answerability check, quoting), the optional LLM, evaluation."""
