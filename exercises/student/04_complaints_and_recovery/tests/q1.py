OK_FORMAT = True

test = {   'name': 'q1',
    'points': None,
    'suites': [   {   'cases': [   {'code': ">>> assert isinstance(vital_few, list) and vital_few, 'vital_few should be a non-empty list of category names'\n", 'hidden': False, 'locked': False},
                                   {   'code': '>>> assert set(vital_few) <= set(complaints[\'category\'].astype(str)), f"use the category names: '
                                               '{sorted(complaints[\'category\'].astype(str).unique())}"\n',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert isinstance(top_share, float) and 0 < top_share <= 1, 'top_share is a share between 0 and 1, not a count or a percentage'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
