OK_FORMAT = True

test = {   'name': 'q3',
    'points': None,
    'suites': [   {   'cases': [   {   'code': '>>> assert isinstance(caller_id, str) and caller_id in set(customers[\'customer_id\']), "caller_id should be a customer id such as \'C00042\'"\n',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': ">>> assert isinstance(caller_on_time, float) and 0 <= caller_on_time <= 1, 'caller_on_time is a share between 0 and 1'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
