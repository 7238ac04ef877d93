"""Evaluation (创范评优), liaison appraisal and the 12345 diversion (R5, R7, R8, R9)."""
