OK_FORMAT = True

test = {   'name': 'q3',
    'points': None,
    'suites': [   {   'cases': [   {   'code': '>>> assert isinstance(slowest_channel, str) and slowest_channel in set(complaints[\'channel\'].astype(str)), f"slowest_channel should be one of '
                                               '{sorted(complaints[\'channel\'].astype(str).unique())}"\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
