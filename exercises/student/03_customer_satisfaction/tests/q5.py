OK_FORMAT = True

test = {   'name': 'q5',
    'points': None,
    'suites': [   {   'cases': [   {   'code': '>>> assert worst_gap in {\'timeliness\', \'condition\', \'information\', \'staff\', \'handling\', \'price\'}, "worst_gap should be one dimension name, '
                                               'e.g. \'price\'"\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
