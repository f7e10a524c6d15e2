package web_test

import (
	"context"

	"compress/gzip"
	"github.com/acercate/acercate/flows"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/web"
)

// portal is a running portal over a complete Acércate (real engine,
// SQLite file, Redis) for one test.
type portal struct {
	*apptest.Env
	Server *web.Server
	HTTP   *httptest.Server
}

func newPortal(t testing.TB, cfg web.Config) *portal {
	t.Helper()
	env := apptest.New(t)
	cfg.Engine = env.Engine
	cfg.Shelters = env.Store.Deps().Shelters
	cfg.Keys = env.Store.Keys()
	cfg.Now = env.Clock.Now
	cfg.Redis, cfg.RedisPrefix = env.App.Redis, env.Redis.Prefix
	if cfg.Photos == nil {
		cfg.Photos = env.Store
	}
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &portal{Env: env, Server: srv, HTTP: ts}
}

// client is a browser-like client: it keeps cookies and asks for gzip
// itself, so the test sees the bytes that travel.
func (p *portal) client(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	*http.Response
	Body string
	// Wire is how many body bytes travelled (compressed when gzipped).
	Wire int
}

func (p *portal) do(t testing.TB, c *http.Client, method, path string, form url.Values, header ...string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.HTTP.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", p.HTTP.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{Response: res, Wire: len(raw)}
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		raw = plain
	}
	out.Body = string(raw)
	return out
}

func (p *portal) get(t testing.TB, c *http.Client, path string, header ...string) response {
	t.Helper()
	return p.do(t, c, http.MethodGet, path, nil, header...)
}

// nearestShelter is the name of the open shelter nearest to a point.
func nearestShelter(t testing.TB, p *portal, lat, lon float64) string {
	t.Helper()
	near, err := p.Store.Deps().Shelters.NearestShelters(context.Background(), flows.Location{Lat: lat, Lon: lon}, 1,
		func(s *flows.Shelter) bool { return s.Status != flows.StatusClosed })
	if err != nil || len(near) == 0 {
		t.Fatalf("nearest shelter: %v", err)
	}
	return near[0].Name
}
