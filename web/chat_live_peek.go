//go:build linux || darwin

package web

import (
	"net"
	"syscall"
)

// gone reports whether the browser closed a live page's connection (the
// page left, the tab closed), without waiting: a page sends nothing after
// its request, so a peek that would not block finds either nothing yet
// (open) or the end of the stream (gone). Without it a closed page looked
// open until the next heartbeat failed, up to sseHeartbeat later: a staff
// answer meanwhile was taken for seen live (the visitor was not told it
// came while they were away), and a visitor who reloaded a few times was
// refused a live page (maxLivePages). A connection that is not a socket
// (TLS in the process) is left to the heartbeat.
func gone(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	var dead bool
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch err {
		case nil:
			dead = n == 0
		case syscall.EAGAIN, syscall.EINTR:
		default:
			dead = true
		}
		return true
	})
	return dead || err != nil
}
