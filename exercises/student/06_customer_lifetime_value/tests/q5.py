OK_FORMAT = True

test = {   'name': 'q5',
    'points': None,
    'suites': [   {   'cases': [   {   'code': '>>> assert isinstance(top_customer, str) and top_customer in set(shipments[\'customer_id\']), "top_customer should be a customer id such as '
                                               '\'C00042\'"\n',
                                       'hidden': False,
                                       'locked': False},
                                   {'code': ">>> assert isinstance(total_clv, float) and total_clv > 0, 'total_clv should be a positive amount in RMB'\n", 'hidden': False, 'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
