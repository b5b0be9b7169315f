OK_FORMAT = True

test = {   'name': 'q4',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(share_truly_gone, float) and 0 <= share_truly_gone <= 1, 'share_truly_gone is a share between 0 and 1'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
