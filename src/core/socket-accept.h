/* SPDX-License-Identifier: MIT */
#pragma once

/* The Accept=yes path of a socket unit (socket-accept.c): accept one
 * connection, apply MaxConnections=/MaxConnectionsPerSource=, and spawn an
 * instance of the template from the socket's prepared SpawnTemplate.  These
 * are internal to socket-unit.c and socket-accept.c; the public part of the
 * path (socket_connection_released(), socket_peer_key(),
 * socket_prepare_instance_template()) is declared in socket-unit.h. */

#include "socket-unit.h"

/* accept4() one connection on port w, with the flags the service wants,
 * apply the post-listen options and count MPTCP.  Returns the connection
 * fd; -EAGAIN when there was nothing to accept (or a transient error);
 * another -errno after the socket was sent to the failure path. */
int socket_accept_connection(SocketUnit *s, SocketWatch *w);

/* Hand connection cfd (owned from here on) to a new instance of the
 * template, or refuse it above the connection limits. */
void socket_spawn_instance(SocketUnit *s, int cfd);

/* Send the socket to its failure path with result f (socket_enter_stop_pre,
 * which socket-unit.c keeps private). */
void socket_fail(SocketUnit *s, SocketResult f);
