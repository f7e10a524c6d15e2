package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func call(t *testing.T, s *Server, method string, v url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URL+"/bot"+s.Token+"/"+method, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func ids(m map[string]any) []int64 {
	var out []int64
	for _, u := range m["result"].([]any) {
		out = append(out, int64(u.(map[string]any)["update_id"].(float64)))
	}
	return out
}

func TestGetUpdatesOffsetAndLongPoll(t *testing.T) {
	s := New(t)
	p := Person{ID: 1}
	a := s.Text(1, p, "uno")
	b := s.Text(1, p, "dos")
	_, m := call(t, s, "getUpdates", url.Values{"offset": {"0"}})
	if got := ids(m); len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("first poll %v", got)
	}
	// Not confirmed: the same updates again.
	_, m = call(t, s, "getUpdates", url.Values{"offset": {"0"}})
	if len(ids(m)) != 2 {
		t.Fatal("unconfirmed updates were dropped")
	}
	// offset = b confirms a only.
	_, m = call(t, s, "getUpdates", url.Values{"offset": {itoa(b)}})
	if got := ids(m); len(got) != 1 || got[0] != b || s.Confirmed() != b {
		t.Fatalf("offset %d: %v", b, got)
	}
	// A long poll waits for the next update and returns it at once.
	go func() { time.Sleep(100 * time.Millisecond); s.Text(1, p, "tres") }()
	start := time.Now()
	_, m = call(t, s, "getUpdates", url.Values{"offset": {itoa(b + 1)}, "timeout": {"5"}})
	if got := ids(m); len(got) != 1 || time.Since(start) < 90*time.Millisecond || time.Since(start) > 3*time.Second {
		t.Fatalf("long poll returned %v after %v", got, time.Since(start))
	}
	// A long poll with nothing returns empty after its timeout.
	start = time.Now()
	_, m = call(t, s, "getUpdates", url.Values{"offset": {itoa(b + 2)}, "timeout": {"1"}})
	if len(ids(m)) != 0 || time.Since(start) < time.Second {
		t.Fatalf("empty poll returned %v after %v", m, time.Since(start))
	}
}

func TestSecondPollerGets409(t *testing.T) {
	s := New(t)
	done := make(chan int)
	go func() {
		code, _ := call(t, s, "getUpdates", url.Values{"timeout": {"5"}})
		done <- code
	}()
	time.Sleep(100 * time.Millisecond)
	if code, _ := call(t, s, "getUpdates", url.Values{"timeout": {"0"}}); code != 200 {
		t.Fatalf("the newer poll got %d", code)
	}
	if code := <-done; code != 409 {
		t.Fatalf("the older poll got %d, want 409", code)
	}
}

func TestLimitsAndErrors(t *testing.T) {
	s := New(t)
	cases := []struct {
		method string
		v      url.Values
		code   int
		desc   string
	}{
		{"sendMessage", url.Values{"chat_id": {"1"}, "text": {""}}, 400, "message text is empty"},
		{"sendMessage", url.Values{"chat_id": {"1"}, "text": {strings.Repeat("a", 4097)}}, 400, "message is too long"},
		{"sendMessage", url.Values{"chat_id": {"1"}, "text": {"a <b"}, "parse_mode": {"HTML"}}, 400, "can't parse entities"},
		{"sendMessage", url.Values{"chat_id": {"1"}, "text": {"a & b"}, "parse_mode": {"HTML"}}, 400, "can't parse entities"},
		{"sendMessage", url.Values{"chat_id": {"1"}, "text": {"a"}, "reply_markup": {`{"inline_keyboard":[[{"text":"x","callback_data":"` + strings.Repeat("d", 65) + `"}]]}`}}, 400, "BUTTON_DATA_INVALID"},
		{"sendMessage", url.Values{"chat_id": {"1"}, "text": {"a &amp; <b>b</b>"}, "parse_mode": {"HTML"}}, 200, ""},
		{"answerCallbackQuery", url.Values{"callback_query_id": {"nope"}}, 400, "query is too old"},
		{"sendPoll", url.Values{}, 404, "Not Found"},
	}
	for _, c := range cases {
		code, m := call(t, s, c.method, c.v)
		d, _ := m["description"].(string)
		if code != c.code || !strings.Contains(d, c.desc) {
			t.Errorf("%s %v: %d %q, want %d %q", c.method, c.v, code, d, c.code, c.desc)
		}
	}
	if got := lastBot(s, 1); got != "a & b" {
		t.Fatalf("HTML shown as %q", got)
	}
	s.Block(1)
	if code, _ := call(t, s, "sendMessage", url.Values{"chat_id": {"1"}, "text": {"x"}}); code != 403 {
		t.Fatalf("blocked: %d", code)
	}
	resp, _ := http.Get(s.URL + "/botWRONG/getMe")
	if resp.StatusCode != 401 {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
}

func lastBot(s *Server, chat int64) string {
	m := s.BotMessages(chat)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1].Text
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
