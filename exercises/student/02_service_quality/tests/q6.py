OK_FORMAT = True

test = {   'name': 'q6',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(low_months, list) and all((isinstance(m, int) for m in low_months)), 'low_months should be a list of whole numbers, e.g. [3, "
                                               "7]'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert low_months == sorted(set(low_months)) and all((1 <= m <= 12 for m in low_months)), 'give calendar month numbers 1-12, sorted, without "
                                               "repeats'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
