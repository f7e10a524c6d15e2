package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// answering is an API whose every call is answered with body.
// It records each call's JSON body, its numbers as json.Number.
func answering(t *testing.T, status int, body string) (*api, *[]map[string]any) {
	t.Helper()
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var v map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		err := dec.Decode(&v)
		if err != nil || dec.More() || r.Header.Get("Content-Type") != "application/json" || !strings.HasSuffix(r.URL.Path, "/bot123:abc/sendMessage") && !strings.HasSuffix(r.URL.Path, "/bot123:abc/getUpdates") {
			t.Errorf("request %s %q: %v", r.URL.Path, b, err)
		}
		got = append(got, v)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return newAPI("123:abc", srv.URL+"/", srv.Client()), &got
}

func TestCallSendsJSONAndReadsTheMessageID(t *testing.T) {
	a, got := answering(t, 200, `{"ok":true,"result":{"chat":{"id":42,"type":"private"},"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"b"}]]},"message_id":77,"date":1}}`)
	var m sentMessage
	p := tgbotapi.Params{"chat_id": "42", "text": "¿Qué pasó? a&b=c+d 🚨"}
	if e := a.call(context.Background(), "sendMessage", p, nil, &m); e != nil || m.ID != 77 {
		t.Fatalf("id %d, err %v", m.ID, e)
	}
	if len(*got) != 1 || (*got)[0]["text"] != p["text"] || (*got)[0]["chat_id"] != json.Number("42") {
		t.Fatalf("the server read %v", *got)
	}
}

// Numbers, booleans and objects go as themselves, as the Bot API types
// them; a value that is not what its parameter takes goes as the string it
// is, and text that is not UTF-8 as U+FFFD.
func TestCallBodyTypesItsParameters(t *testing.T) {
	a, got := answering(t, 200, `{"ok":true,"result":{"message_id":1}}`)
	p := tgbotapi.Params{
		"chat_id": "-1001234567890", "message_id": "12", "allow_sending_without_reply": "true",
		"reply_markup": `{"inline_keyboard":[[{"text":"Sí \"ya\"","callback_data":"m:1"}]]}`,
		"text":         "123", "parse_mode": "HTML", "caption": "línea\n\"dos\" \xff fin",
	}
	if e := a.call(context.Background(), "sendMessage", p, nil, nil); e != nil {
		t.Fatal(e)
	}
	want := map[string]any{
		"chat_id": json.Number("-1001234567890"), "message_id": json.Number("12"), "allow_sending_without_reply": true,
		"reply_markup": map[string]any{"inline_keyboard": []any{[]any{map[string]any{"text": `Sí "ya"`, "callback_data": "m:1"}}}},
		"text":         "123", "parse_mode": "HTML", "caption": "línea\n\"dos\" \ufffd fin",
	}
	if len(*got) != 1 || !reflect.DeepEqual((*got)[0], want) {
		t.Fatalf("the server read %#v, want %#v", *got, want)
	}

	odd := tgbotapi.Params{"chat_id": "@canal", "message_id": "12a", "allow_sending_without_reply": "yes", "reply_markup": `{"inline_keyboard":`}
	if e := a.call(context.Background(), "sendMessage", odd, nil, nil); e != nil {
		t.Fatal(e)
	}
	for k, v := range odd {
		if (*got)[1][k] != v {
			t.Errorf("%s went as %#v, want the string %q", k, (*got)[1][k], v)
		}
	}
}

func TestAnOddSendAnswerIsASendWithoutID(t *testing.T) {
	// The message went; its id is unknown. Failing the call would send it
	// again.
	for _, body := range []string{`{"ok":true,"result":true}`, `{"ok":true,"result":{"message_id":"x"}}`, `{"ok":true}`, `{"ok":true,"result":[1,{"message_id":3}]}`} {
		a, _ := answering(t, 200, body)
		var m sentMessage
		if e := a.call(context.Background(), "sendMessage", tgbotapi.Params{}, nil, &m); e != nil || m.ID != 0 {
			t.Errorf("%s: id %d, err %v", body, m.ID, e)
		}
	}
}

func TestAnswersThatAreNotTheAPIsAreTheServersFault(t *testing.T) {
	for _, body := range []string{`<html><body><h1>502 Bad Gateway</h1></body></html>`, `{"ok":true,"result":{"message_id":`, ``} {
		a, _ := answering(t, 502, body)
		var m sentMessage
		e := a.call(context.Background(), "sendMessage", tgbotapi.Params{}, nil, &m)
		if e == nil || e.Class != ClassServer || !e.Temporary() {
			t.Errorf("%q: %v, want a temporary server error", body, e)
		}
		if e != nil && strings.Contains(e.Error(), "123:abc") {
			t.Errorf("%q: the token is in %v", body, e)
		}
	}
}

func TestAPIErrorsKeepTheirParameters(t *testing.T) {
	a, _ := answering(t, 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`)
	e := a.call(context.Background(), "sendMessage", tgbotapi.Params{}, nil, nil)
	if e == nil || e.Class != ClassRateLimited || e.RetryAfter.Seconds() != 7 || e.Code != 429 {
		t.Fatalf("%+v", e)
	}
	a, _ = answering(t, 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`)
	if e := a.call(context.Background(), "sendMessage", tgbotapi.Params{}, nil, nil); !errors.Is(e, ErrBlocked) {
		t.Fatalf("%v, want blocked", e)
	}
}

func TestUpdatesDecodeAsEncodingJSONDid(t *testing.T) {
	// Text that is not UTF-8 reads as U+FFFD, a name given twice keeps the
	// last value, unknown fields are skipped: as before the v2 decoder.
	a, _ := answering(t, 200, "{\"ok\":true,\"new_field\":{\"a\":[1]},\"result\":[{\"update_id\":5,\"update_id\":6,\"message\":{\"message_id\":1,\"date\":1,\"chat\":{\"id\":42,\"type\":\"private\"},\"text\":\"hola \xff\xfe fin\",\"some_future\":true}},{\"update_id\":7,\"callback_query\":{\"id\":\"q\",\"from\":{\"id\":42},\"data\":\"d\",\"chat_instance\":\"c\",\"message\":{\"message_id\":9,\"date\":1,\"chat\":{\"id\":42,\"type\":\"private\"},\"text\":\"the bot's own text\",\"reply_markup\":{\"inline_keyboard\":[[{\"text\":\"a\",\"callback_data\":\"d\"}]]}}}}]}")
	var ups updates
	if e := a.call(context.Background(), "getUpdates", tgbotapi.Params{}, nil, &ups); e != nil {
		t.Fatal(e)
	}
	if len(ups) != 2 || ups[0].UpdateID != 6 || ups[0].Message == nil || ups[0].Message.Text != "hola \uFFFD\uFFFD fin" {
		t.Fatalf("%+v", ups)
	}
	// A tap's message is read for its id and chat only (tappedQuery).
	q := ups[1].CallbackQuery
	if q == nil || q.Data != "d" || q.ID != "q" || q.From.ID != 42 || q.Message == nil || q.Message.MessageID != 9 || q.Message.Chat.ID != 42 || q.Message.Text != "" {
		t.Fatalf("%+v", q)
	}
}
