OK_FORMAT = True

test = {   'name': 'q4',
    'points': None,
    'suites': [   {   'cases': [{'code': '>>> assert q4_answer in (\'a\', \'b\', \'c\'), "answer with one lowercase letter: \'a\', \'b\' or \'c\'"\n', 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
