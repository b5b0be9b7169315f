OK_FORMAT = True

test = {   'name': 'q3',
    'points': None,
    'suites': [   {   'cases': [   {   'code': '>>> assert isinstance(worst_service, str) and isinstance(best_service, str), "worst_service and best_service should be service names (strings), e.g. '
                                               '\'express\'"\n',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> assert {worst_service, best_service} <= set(shipments[\'service\'].astype(str)), f"use the names in shipments[\'service\']: '
                                               '{sorted(shipments[\'service\'].astype(str).unique())}"\n',
                                       'hidden': False,
                                       'locked': False},
                                   {'code': ">>> assert worst_service != best_service, 'the worst and the best service cannot be the same one'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
