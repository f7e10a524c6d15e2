package flows_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
)

func TestAddressParseAndString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want flows.Address
		str  string
		key  string
	}{
		{"telegram:12345", flows.Telegram(12345), "telegram:12345", "12345"},
		{"telegram:-1001234567890", flows.Telegram(-1001234567890), "telegram:-1001234567890", "-1001234567890"},
		// The Key form of Telegram, as sealed and hashed before channels.
		{"12345", flows.Telegram(12345), "telegram:12345", "12345"},
		{"web:Zx9_a-Q", flows.Address{Channel: "web", ID: "Zx9_a-Q"}, "web:Zx9_a-Q", "web:Zx9_a-Q"},
		{"whatsapp:5219621234567", flows.Address{Channel: "whatsapp", ID: "5219621234567"}, "whatsapp:5219621234567", "whatsapp:5219621234567"},
		// Only the first colon separates: an id may hold colons.
		{"web:a:b", flows.Address{Channel: "web", ID: "a:b"}, "web:a:b", "web:a:b"},
		{"", flows.Address{}, "", ""},
	} {
		got, err := flows.ParseAddress(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseAddress(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if got.String() != tc.str || got.Key() != tc.key {
			t.Errorf("%q: String %q Key %q; want %q %q", tc.in, got.String(), got.Key(), tc.str, tc.key)
		}
		if back, err := flows.ParseAddress(got.Key()); err != nil || back != got {
			t.Errorf("%q: Key does not read back: %+v, %v", tc.in, back, err)
		}
	}
}

func TestAddressRefusesMalformed(t *testing.T) {
	for _, in := range []string{
		"telegram:", "telegram:abc", "telegram:0", "telegram:012", "telegram:1 2", "abc",
		":123", "Web:x", "1web:x", "web_chat:x", "averyveryverylongchannel:x",
		"web:", "web:has space", "web:tab\tin", "web:\x00", "web:\xff", "web:" + strings.Repeat("a", flows.MaxIDLen+1),
	} {
		if a, err := flows.ParseAddress(in); !errors.Is(err, flows.ErrBadAddress) {
			t.Errorf("ParseAddress(%q) = %+v, %v; want ErrBadAddress", in, a, err)
		}
	}
	if err := (flows.Address{Channel: "web", ID: strings.Repeat("a", flows.MaxIDLen)}).Validate(); err != nil {
		t.Errorf("an id of MaxIDLen bytes: %v", err)
	}
	if err := (flows.Address{}).Validate(); err == nil {
		t.Error("the zero Address validated")
	}
}

// TestTelegramHashesAsBefore: a Telegram chat keeps the keyed hashes it
// had when it was a bare int64 (so its Redis keys, its person hash in the
// weekly figures and the blocked list are unchanged), and no other
// channel's id can take a Telegram chat's hash.
func TestTelegramHashesAsBefore(t *testing.T) {
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{42, 987654321, -1001234567890} {
		a := flows.Telegram(id)
		if got, was := keys.ChatHash(a), keys.Hash("chat", strconv.FormatInt(id, 10)); got != was {
			t.Errorf("chat %d: hash %s, before %s", id, got, was)
		}
		if got, was := keys.PersonHash(a), keys.Hash("person", strconv.FormatInt(id, 10)); got != was {
			t.Errorf("person %d: hash %s, before %s", id, got, was)
		}
		if got, was := keys.StaffHash(a), keys.Hash("staff", strconv.FormatInt(id, 10)); got != was {
			t.Errorf("staff %d: hash %s, before %s", id, got, was)
		}
		other := flows.Address{Channel: "web", ID: strconv.FormatInt(id, 10)}
		if keys.ChatHash(other) == keys.ChatHash(a) || keys.PersonHash(other) == keys.PersonHash(a) {
			t.Errorf("web id %d hashes as Telegram's", id)
		}
	}
}

// TestAddressJSON: an address is written as "channel:id"; replies sealed
// in Redis by releases before addresses hold a bare Telegram chat number,
// and still read.
func TestAddressJSON(t *testing.T) {
	r := flows.Reply{Kind: flows.SendText, ChatID: flows.Address{Channel: "web", ID: "v1"}, Text: "hola"}
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"c":"web:v1"`) {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	var back flows.Reply
	if err := json.Unmarshal(b, &back); err != nil || back.ChatID != r.ChatID {
		t.Fatalf("unmarshal %s = %+v, %v", b, back, err)
	}
	for in, want := range map[string]flows.Address{
		`{"k":"send","c":4242,"t":"x"}`:           flows.Telegram(4242),
		`{"k":"send","c":-1001234567890,"t":"x"}`: flows.Telegram(-1001234567890),
		`{"k":"send","c":0,"t":"x"}`:              {},
		`{"k":"send","c":"","t":"x"}`:             {},
		`{"k":"send","c":null,"t":"x"}`:           {},
		`{"k":"send","c":"telegram:7","t":"x"}`:   flows.Telegram(7),
	} {
		var got flows.Reply
		if err := json.Unmarshal([]byte(in), &got); err != nil || got.ChatID != want {
			t.Errorf("unmarshal %s = %+v, %v; want %+v", in, got.ChatID, err, want)
		}
	}
	for _, in := range []string{`{"c":"web:"}`, `{"c":1.5}`, `{"c":true}`, `{"c":"telegram:x"}`} {
		var got flows.Reply
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("unmarshal %s = %+v, want an error", in, got.ChatID)
		}
	}
}

func TestTelegramAddressHelpers(t *testing.T) {
	a := flows.Telegram(-100)
	if id, ok := a.TelegramID(); !ok || id != -100 {
		t.Errorf("telegram helpers of %v: %d %v", a, id, ok)
	}
	w := flows.Address{Channel: "web", ID: "-100"}
	if _, ok := w.TelegramID(); ok {
		t.Errorf("a web address read as Telegram's")
	}
	if !flows.Telegram(0).IsZero() {
		t.Error("Telegram(0) is not the zero Address")
	}
}

// TestAnotherChannelEndToEnd: a person of a channel whose ids are strings
// goes through the real engine and store — a state in Redis under the
// channel-prefixed hash, a ticket whose sealed chat reads back as the same
// address — and is not the Telegram person whose id has the same digits.
func TestAnotherChannelEndToEnd(t *testing.T) {
	env := apptest.New(t, withStaff)
	ctx := context.Background()
	web := flows.Address{Channel: "web", ID: "882"}
	p := newPersonAt(t, env, web, "es")
	p.command("start", "")
	p.tap("human:*::")
	p.text("necesito hablar con alguien")
	if st := p.state(); st.Flow != "human" || st.Step != "open" {
		t.Fatalf("no ticket open: %+v", st)
	}
	k, err := env.Store.Tickets().Current(ctx, env.Keys.PersonHash(web))
	if err != nil || k.Chat != web {
		t.Fatalf("ticket %+v, %v; want its chat %v", k, err, web)
	}
	if _, err := env.Store.Tickets().Current(ctx, env.Keys.PersonHash(flows.Telegram(882))); !errors.Is(err, flows.ErrNoTicket) {
		t.Errorf("the Telegram person 882 has the web person's ticket: %v", err)
	}
	st := env.Engine.Store()
	if n, err := env.Redis.Client.Exists(ctx, st.StateKey(web)).Result(); err != nil || n != 1 {
		t.Fatalf("no state under %s: %d, %v", st.StateKey(web), n, err)
	}
	if _, ok, err := st.LoadState(ctx, flows.Telegram(882)); ok || err != nil {
		t.Errorf("the Telegram chat 882 has a state: %v, %v", ok, err)
	}
	// An event with a malformed address is refused before any flow sees it.
	bad := flows.Event{UpdateID: 1, ChatID: flows.Address{Channel: "web", ID: "has space"}, Kind: flows.EventText, Text: "hola"}
	if _, err := env.Engine.Handle(ctx, bad); !errors.Is(err, flows.ErrBadAddress) {
		t.Errorf("a malformed address was handled: %v", err)
	}
}
