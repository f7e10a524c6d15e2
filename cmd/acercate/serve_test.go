package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/secret"
)

// TestMain lets serve tests run `acercate serve` as a real process: the
// test binary re-executed with ACERCATE_SERVE_CHILD=1 is the binary.
func TestMain(m *testing.M) {
	if os.Getenv("ACERCATE_SERVE_CHILD") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, []string{"serve"})
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestServeConfigErrors(t *testing.T) {
	good := map[string]string{
		"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ACERCATE_DATA_KEY": secret.Generate(),
		"ACERCATE_DB": filepath.Join(t.TempDir(), "a.db"),
	}
	cases := []struct {
		name, key, value, want string
	}{
		{"webhook without token", "TELEGRAM_BOT_TOKEN", "", "TELEGRAM_BOT_TOKEN"},
		{"bad token", "TELEGRAM_BOT_TOKEN", "nope", "TELEGRAM_BOT_TOKEN"},
		{"bad api url", "TELEGRAM_API_URL", "ftp://x", "TELEGRAM_API_URL"},
		{"http webhook", "ACERCATE_WEBHOOK_URL", "http://bot.example.org/tg", "ACERCATE_WEBHOOK_URL"},
		{"webhook without secret", "ACERCATE_WEBHOOK_URL", "https://bot.example.org/tg", "ACERCATE_WEBHOOK_SECRET"},
		{"bad http addr", "ACERCATE_HTTP_ADDR", "8080", "ACERCATE_HTTP_ADDR"},
		{"bad admin addr", "ACERCATE_ADMIN_ADDR", "9090", "ACERCATE_ADMIN_ADDR"},
		{"admin on the public port", "ACERCATE_ADMIN_ADDR", ":8080", "ACERCATE_ADMIN_ADDR"},
		{"too few connections", "ACERCATE_HTTP_MAX_CONNS", "1", "ACERCATE_HTTP_MAX_CONNS"},
		{"bad send rate", "ACERCATE_SEND_RATE", "fast", "ACERCATE_SEND_RATE"},
		{"negative chat rate", "ACERCATE_CHAT_RATE", "-1", "ACERCATE_CHAT_RATE"},
		{"bad group rate", "ACERCATE_GROUP_RATE", "x", "ACERCATE_GROUP_RATE"},
		{"bad workers", "ACERCATE_WORKERS", "0", "ACERCATE_WORKERS"},
		{"bad log level", "ACERCATE_LOG_LEVEL", "loud", "ACERCATE_LOG_LEVEL"},
		{"no data key", "ACERCATE_DATA_KEY", "", "ACERCATE_DATA_KEY"},
		{"bad redis url", "REDIS_URL", "http://x", "REDIS_URL"},
		{"bad public url", "ACERCATE_PUBLIC_URL", "acercate.example", "ACERCATE_PUBLIC_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{}
			for k, v := range good {
				vars[k] = v
			}
			vars[c.key] = c.value
			if c.name == "webhook without token" {
				vars["ACERCATE_WEBHOOK_URL"] = "https://bot.example.org/tg"
			}
			code, _, stderr := runDenunciasCLI(t, vars, "serve")
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, stderr, c.want)
			}
			if strings.Contains(stderr, good["TELEGRAM_BOT_TOKEN"]) || strings.Contains(stderr, good["ACERCATE_DATA_KEY"]) {
				t.Fatalf("a secret in the error: %q", stderr)
			}
		})
	}
}

// redisServer is a real redis-server on a free port, with an append-only
// file, so a restart keeps what was written, as in production.
type redisServer struct {
	t    *testing.T
	dir  string
	port int
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	r := &redisServer{t: t, dir: t.TempDir(), port: freePort(t)}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) url(db int) string { return fmt.Sprintf("redis://127.0.0.1:%d/%d", r.port, db) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// child is `acercate serve` running as its own process.
type child struct {
	t    *testing.T
	cmd  *exec.Cmd
	logs *apptest.LogBuffer
	// http is the public port's URL, admin the admin port's.
	http, admin string
	done        chan error
}

func startServe(t *testing.T, vars map[string]string, logs *apptest.LogBuffer) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{"ACERCATE_SERVE_CHILD=1", "PATH=" + os.Getenv("PATH")}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, logs: logs, done: make(chan error, 1)}
	addr := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			logs.Write([]byte(line + "\n"))
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "serving" {
				addr <- [2]string{m["http"].(string), m["admin"].(string)}
			}
		}
	}()
	go func() { c.done <- cmd.Wait(); pw.Close() }()
	select {
	case a := <-addr:
		c.http, c.admin = "http://"+a[0], "http://"+a[1]
	case err := <-c.done:
		t.Fatalf("serve exited at start: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not start:\n%s", logs.String())
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return c
}

// get is a GET on the admin port; getPublic one on the public port.
func (c *child) get(path string) (int, string) { return httpGet(c.admin + path) }

func (c *child) getPublic(path string) (int, string) { return httpGet(c.http + path) }

func httpGet(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wait waits for the process to exit and returns its exit code.
func (c *child) wait(d time.Duration) int {
	c.t.Helper()
	select {
	case err := <-c.done:
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		c.t.Fatal(err)
	case <-time.After(d):
		c.t.Fatalf("serve did not exit in %v:\n%s", d, c.logs.String())
	}
	return -1
}

func serveVars(tg *telegramtest.Server, redisURL string, t *testing.T) map[string]string {
	return map[string]string{
		"TELEGRAM_BOT_TOKEN": tg.Token, "TELEGRAM_API_URL": tg.APIURL(),
		"REDIS_URL": redisURL, "ACERCATE_DB": filepath.Join(t.TempDir(), "acercate.db"),
		"ACERCATE_DATA_KEY": secret.Generate(), "ACERCATE_HTTP_ADDR": "127.0.0.1:0", "ACERCATE_ADMIN_ADDR": "127.0.0.1:0",
	}
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var people = []telegramtest.Person{
	{ID: 7000001, FirstName: "Marisol", Lang: "es"},
	{ID: 7000002, FirstName: "Jean-Baptiste", Lang: "fr"},
	{ID: 7000003, FirstName: "Wilner", Lang: "ht"},
	{ID: 7000004, FirstName: "Joana", Lang: "pt"},
	{ID: 7000005, FirstName: "Kevin", Lang: "en"},
}

// script is what each person writes, in order.
var script = []string{"/start m-tapachula", "albergue", "derechos", "/menu", "ayuda", "emergencia", "/idioma", "hola"}

func feed(tg *telegramtest.Server) {
	for _, line := range script {
		for _, p := range people {
			if strings.HasPrefix(line, "/") {
				tg.Command(p.ID, p, line)
			} else {
				tg.Text(p.ID, p, line)
			}
		}
	}
}

// sent returns, per chat, the texts of the messages the bot sent, in order.
func sent(tg *telegramtest.Server) map[string][]string {
	out := map[string][]string{}
	for _, c := range tg.CallsTo("sendMessage") {
		if c.Status == 200 {
			out[c.Params.Get("chat_id")] = append(out[c.Params.Get("chat_id")], c.Params.Get("text"))
		}
	}
	return out
}

// TestServeLifecycle runs `acercate serve` against the fake Telegram and a
// real Redis: it answers everyone, serves health on the public port and
// readiness and metrics only on the admin port,
// logs update ids and kinds but no token, name, text or raw id, and on
// SIGTERM stops and exits 0.
func TestServeLifecycle(t *testing.T) {
	r := startRedis(t)
	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(0), t)
	// At debug, the most the logs say: a line per update, checked below
	// for what must never be in them.
	vars["ACERCATE_LOG_LEVEL"] = "debug"
	logs := &apptest.LogBuffer{}
	c := startServe(t, vars, logs)
	feed(tg)
	waitUntil(t, 60*time.Second, "every update answered", func() bool { return tg.Pending() == 0 })
	got := sent(tg)
	for _, p := range people {
		if n := len(got[strconv.FormatInt(p.ID, 10)]); n < len(script) {
			t.Errorf("%s got %d messages for %d sent", p.FirstName, n, len(script))
		}
	}
	if code, body := c.getPublic("/healthz"); code != 200 {
		t.Errorf("/healthz: %d %s", code, body)
	}
	// Readiness and metrics only on the admin port.
	for _, path := range []string{"/metrics", "/readyz"} {
		if code, _ := c.getPublic(path); code != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", path, code)
		}
	}
	if code, body := c.get("/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	code, metrics := c.get("/metrics")
	for _, want := range []string{`acercate_updates_handled_total{kind="command"}`, `acercate_replies_sent_total{kind="send"}`,
		"acercate_update_handling_seconds_bucket", "acercate_update_queue_depth"} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code := c.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, logs.String())
	}
	out := logs.String()
	if testing.Verbose() {
		t.Log(out[:min(len(out), 3000)])
	}
	if !strings.Contains(out, `"update_id"`) || !strings.Contains(out, `"kind":"command"`) {
		t.Errorf("logs lack update ids and kinds:\n%s", out)
	}
	forbidden := []string{tg.Token, strings.Split(tg.Token, ":")[1], vars["ACERCATE_DATA_KEY"], "albergue", "derechos", "emergencia"}
	for _, p := range people {
		forbidden = append(forbidden, p.FirstName, strconv.FormatInt(p.ID, 10))
	}
	for _, f := range forbidden {
		if strings.Contains(out, f) {
			t.Errorf("the logs contain %q", f)
		}
	}
}

// In webhook mode serve sets the webhook with its secret and serves it on
// ACERCATE_HTTP_ADDR: without or with a wrong secret 401 and nothing
// handled; with it, 200 once the replies went out.
func TestServeWebhook(t *testing.T) {
	r := startRedis(t)
	tg := telegramtest.New(t)
	vars := serveVars(tg, r.url(7), t)
	vars["ACERCATE_WEBHOOK_URL"] = "https://bot.example.org/tg/hook"
	vars["ACERCATE_WEBHOOK_SECRET"] = "0123456789abcdef0123"
	logs := &apptest.LogBuffer{}
	c := startServe(t, vars, logs)
	waitUntil(t, 10*time.Second, "setWebhook", func() bool { u, _ := tg.Webhook(); return u != "" })
	if u, s := tg.Webhook(); u != vars["ACERCATE_WEBHOOK_URL"] || s != vars["ACERCATE_WEBHOOK_SECRET"] {
		t.Fatalf("webhook set to %q with secret %q", u, s)
	}
	p := people[0]
	body := tg.UpdateJSON(tg.Command(p.ID, p, "/start"))
	post := func(secret string) int {
		req, _ := http.NewRequest("POST", c.http+"/tg/hook", bytes.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, s := range []string{"", "wrong-wrong-wrong-wrong"} {
		if code := post(s); code != 401 {
			t.Fatalf("secret %q: %d, want 401", s, code)
		}
	}
	if n := len(tg.BotMessages(p.ID)); n != 0 {
		t.Fatalf("handled without the secret: %d messages", n)
	}
	if code := post(vars["ACERCATE_WEBHOOK_SECRET"]); code != 200 {
		t.Fatalf("with the secret: %d", code)
	}
	if n := len(tg.BotMessages(p.ID)); n < 2 {
		t.Fatalf("200 before the replies: %d messages", n)
	}
	if code, body := c.get("/readyz"); code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	if code := c.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
