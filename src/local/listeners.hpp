// `ajar local`: this host's listening TCP sockets, from /proc. STUB (issue 8).
#pragma once
