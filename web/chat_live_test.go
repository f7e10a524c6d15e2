package web_test

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/acercate/acercate/web"
)

// A visitor who reloads the chat page more often than maxLivePages (4)
// still gets a live page each time: the pages they left are seen closed
// when they go, not at the next heartbeat.
func TestLivePagesLeftAreNotCounted(t *testing.T) {
	p := newPortal(t, web.Config{})
	c := p.client(t)
	p.get(t, c, "/chat?lang=es")
	var cookie string
	for _, ck := range c.Jar.Cookies(mustURL(t, p.HTTP.URL)) {
		cookie += ck.Name + "=" + ck.Value + "; "
	}
	for i := 0; i < 6; i++ {
		conn, err := net.Dial("tcp", strings.TrimPrefix(p.HTTP.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte("GET /chat/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nCookie: " + cookie + "\r\n\r\n"))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("live page %d: status %d", i+1, res.StatusCode)
		}
		waitFor(t, "the live page open", func() bool { return p.Server.LivePages() == 1 })
		conn.Close()
		waitFor(t, "the live page seen closed", func() bool { return p.Server.LivePages() == 0 })
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
