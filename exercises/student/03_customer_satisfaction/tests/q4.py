OK_FORMAT = True

test = {   'name': 'q4',
    'points': None,
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(concentrate_here, list), 'concentrate_here should be a list of dimension names (possibly empty)'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {'code': ">>> assert concentrate_here == sorted(concentrate_here), 'sort the list: sorted(...)'\n", 'hidden': False, 'locked': False},
                                   {   'code': ">>> assert set(concentrate_here) <= {'timeliness', 'condition', 'information', 'staff', 'handling', 'price'}, 'use the dimension names of the "
                                               "survey'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
