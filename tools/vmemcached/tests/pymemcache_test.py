# SPDX-License-Identifier: GPL-2.0
"""pymemcache (Debian's python3-pymemcache) against vmemcached: every
command a client library sends, with replies checked (noreply off).
usage: python3 pymemcache_test.py PORT; exit 0 when all asserts hold."""
import sys

from pymemcache.client.base import Client

c = Client(('127.0.0.1', int(sys.argv[1])), default_noreply=False)
assert c.flush_all()
assert c.set('a', 'hello', expire=100)
assert c.get('a') == b'hello'
v, cas = c.gets('a')
assert v == b'hello'
assert c.cas('a', 'x', cas) is True
assert c.cas('a', 'y', cas) is False
assert c.cas('nope', 'y', cas) is None
assert c.add('a', 'z') is False
assert c.add('b', 'z') is True
assert c.replace('a', 'r') is True
assert c.replace('nope', 'r') is False
assert c.append('a', '1') and c.prepend('a', '0')
assert c.get('a') == b'0r1'
assert c.set('n', '5')
assert c.incr('n', 3) == 8
assert c.decr('n', 10) == 0
assert c.incr('nope', 1) is None
assert c.touch('n', 5) is True
assert c.touch('nope', 5) is False
assert c.delete('n') is True
assert c.delete('n') is False
assert c.set_many({'x': '1', 'y': '2'}) == []
assert c.get_many(['x', 'y', 'nope']) == {'x': b'1', 'y': b'2'}
assert c.delete_many(['x', 'y'])
assert c.get('x') is None
assert int(c.stats()[b'curr_items']) >= 2
assert c.version().startswith(b'1.6')
big = b'v' * 500000
assert c.set('big', big)
assert c.get('big') == big
print('pymemcache: all asserts hold')
