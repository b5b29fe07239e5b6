"""The picker: the small keyboard-first window that asks "what are you doing?" (window), its
wording (text), its numbered choices (choices, delegate) and its queue of missed prompts (queue).
"""
