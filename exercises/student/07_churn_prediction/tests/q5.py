OK_FORMAT = True

test = {   'name': 'q5',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(n_flagged_01, int) and isinstance(n_flagged_10, int), 'give whole numbers of customers (use int(...))'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert n_flagged_01 <= n_flagged_10, 'a looser significance level (0.10) flags at least as many customers as a strict one (0.01)'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {'code': ">>> assert isinstance(precision_10, float) and 0 <= precision_10 <= 1, 'precision_10 is a share between 0 and 1'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
