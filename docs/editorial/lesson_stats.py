#!/usr/bin/env python3
"""Rough prose word count of a lesson (front matter, code fences, quiz excluded)."""
import re, sys
text = open(sys.argv[1]).read()
parts = text.split('+++')
body = parts[2] if len(parts) > 2 else text
body = body.split('+++ quiz')[0]
body = re.sub(r'```.*?```', '', body, flags=re.S)
body = re.sub(r'\]\([^)]*\)', ']', body)
body = re.sub(r'[#*`>|]', ' ', body)
print(len(body.split()), 'prose words (approx., overcounts by about 5%; the validator is authoritative)')
