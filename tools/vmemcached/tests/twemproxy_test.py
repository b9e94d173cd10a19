# SPDX-License-Identifier: GPL-2.0
"""Through twemproxy (Debian's nutcracker) to two vmemcached servers:
200 keys stored and read back with one multi-get, cas, incr, delete, add,
append and touch through the proxy, and both servers holding some keys.
usage: python3 twemproxy_test.py PROXY_PORT SERVER1_PORT SERVER2_PORT"""
import sys

from pymemcache.client.base import Client

proxy, s1, s2 = (int(a) for a in sys.argv[1:4])
c = Client(('127.0.0.1', proxy), default_noreply=False)
keys = ['k%d' % i for i in range(200)]
for k in keys:
    assert c.set(k, 'v' + k)
got = c.get_many(keys)
assert got == {k: b'v' + k.encode() for k in keys}, len(got)
v, cas = c.gets('k1')
assert c.cas('k1', 'new', cas) is True
assert c.cas('k1', 'x', cas) is False
assert c.set('n', '1') and c.incr('n', 5) == 6 and c.delete('n') is True
assert c.add('k2', 'x') is False and c.append('k2', '+')
assert c.get('k2') == b'vk2+'
assert c.touch('k3', 100) is True
n1 = int(Client(('127.0.0.1', s1)).stats()[b'curr_items'])
n2 = int(Client(('127.0.0.1', s2)).stats()[b'curr_items'])
assert n1 > 0 and n2 > 0 and n1 + n2 == 200, (n1, n2)
print('twemproxy: items per server %d and %d; all asserts hold' % (n1, n2))
