OK_FORMAT = True

test = {   'name': 'q6',
    'points': None,
    'suites': [   {   'cases': [{'code': '>>> assert q6_answer in (\'a\', \'b\', \'c\'), "answer with one lowercase letter: \'a\', \'b\' or \'c\'"\n', 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
