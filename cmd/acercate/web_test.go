package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/secret"
)

// TestServePortalAlone: without a Telegram token, serve runs the portal
// alone beside /healthz and /readyz, and stops cleanly on SIGTERM.
func TestServePortalAlone(t *testing.T) {
	logs := &apptest.LogBuffer{}
	c := startServe(t, map[string]string{
		"ACERCATE_DB": filepath.Join(t.TempDir(), "acercate.db"), "ACERCATE_DATA_KEY": secret.Generate(),
		"ACERCATE_HTTP_ADDR": "127.0.0.1:0", "ACERCATE_ADMIN_ADDR": "127.0.0.1:0", "ACERCATE_PUBLIC_URL": "https://acercate.example",
	}, logs)
	if code, body := c.get("/readyz"); code != http.StatusOK {
		t.Errorf("readyz: %d %s", code, body)
	}
	code, body := c.getPublic("/?lang=fr")
	if code != http.StatusOK || !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "tel:911") {
		t.Errorf("portal home: %d\n%s", code, body)
	}
	if code, _ := c.getPublic("/metrics"); code == http.StatusOK {
		t.Errorf("metrics on the public port")
	}
	if !strings.Contains(logs.String(), "serving the web portal alone") {
		t.Errorf("no word that the portal runs alone:\n%s", logs.String())
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code := c.wait(10 * time.Second); code != 0 {
		t.Errorf("exit %d:\n%s", code, logs.String())
	}
}

// TestWeb is the newcomer's command: no token, no key, no Redis; it
// prints the address it serves and the portal answers there.
func TestWeb(t *testing.T) {
	vars := map[string]string{"ACERCATE_DB": filepath.Join(t.TempDir(), "acercate.db"), "ACERCATE_HTTP_ADDR": "127.0.0.1:0"}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		env := &Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard, Getenv: func(k string) string { return vars[k] }}
		done <- Run(ctx, env, []string{"web"})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v", err)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("no address in %q", line)
	}
	url := strings.Fields(line[i:])[0]
	res, err := http.Get(url + "albergues?lang=pt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "Procurar abrigos") {
		t.Errorf("shelters page: %d\n%s", res.StatusCode, b)
	}
	// It serves through serve's listener (listenHTTP): its 64 KB header
	// limit refuses what net/http's own default (1 MB) would take.
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-Big", strings.Repeat("a", 200<<10))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 200 KB header: status %d, want 431 (serve's header limit)", res.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("web exit %d", code)
	}
}
