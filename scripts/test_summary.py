#!/usr/bin/env python3
"""Prints one closing line for the test runs: 'N passed, N failed'."""
import json
import sys

passed = failed = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            for line in f:
                result = json.loads(line).get('result')
                if result in ('OK', 'EXPECTEDFAIL'):
                    passed += 1
                elif result in ('FAIL', 'TIMEOUT', 'ERROR', 'UNEXPECTEDPASS'):
                    failed += 1
    except FileNotFoundError:
        print(f'{path}: missing (that build did not run its tests)', file=sys.stderr)
        failed += 1
print(f'{passed} passed, {failed} failed')
