package bot

import (
	"bytes"
	"context"
	jsonv1 "encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// api makes Bot API calls. A call without files is a JSON POST made here
// and its answer decoded in one pass (go-json-experiment/json, the
// encoding/json v2 design, already in the module graph): tgbotapi's
// MakeRequest reads an answer three times (its decoder finds the value's
// end, decodes it into a raw result, the caller decodes that again), which
// was a fifth of the bot's CPU under load. Uploads go through tgbotapi.
type api struct {
	bot    *tgbotapi.BotAPI
	client *http.Client
	// base is the methods' URL prefix; it holds the token, so it never
	// appears in a log or an error (classify strips it from url.Error).
	base string
}

func newAPI(token, baseURL string, client *http.Client) *api {
	root := strings.TrimRight(baseURL, "/")
	b := &tgbotapi.BotAPI{Token: token, Client: client, Buffer: 100}
	b.SetAPIEndpoint(root + "/bot%s/%s")
	return &api{bot: b, client: client, base: root + "/bot" + token + "/"}
}

// ctxClient gives every request of one call the call's context, which
// tgbotapi's own methods do not take.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c ctxClient) Do(r *http.Request) (*http.Response, error) { return c.c.Do(r.WithContext(c.ctx)) }

// maxAnswer bounds what one answer may take: a hundred updates of the
// largest kind are far less.
const maxAnswer = 32 << 20

// decodeOptions accept what encoding/json accepted: text that is not
// valid UTF-8 (as U+FFFD) and a name given twice.
var decodeOptions = json.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

// updateOptions decode updates: a callback query as tappedQuery says. Only
// updates take them: a type-specific unmarshaler makes the decoder look up
// every value's type.
var updateOptions = json.WithUnmarshalers(json.UnmarshalFromFunc(tappedQuery))

// updates are getUpdates' result.
type updates []tgbotapi.Update

func (u *updates) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return json.UnmarshalDecode(dec, (*[]tgbotapi.Update)(u), updateOptions)
}

// tappedQuery decodes a callback query with only the id and chat of the
// message whose button was tapped (all convert reads of it): Telegram
// sends that whole message back, the bot's own text and keyboard, and
// decoding them into a tgbotapi.Message was most of reading a tap.
func tappedQuery(dec *jsontext.Decoder, q *tgbotapi.CallbackQuery) error {
	var lean struct {
		ID      string         `json:"id"`
		From    *tgbotapi.User `json:"from"`
		Message *struct {
			MessageID int            `json:"message_id"`
			Chat      *tgbotapi.Chat `json:"chat"`
		} `json:"message"`
		InlineMessageID string `json:"inline_message_id"`
		ChatInstance    string `json:"chat_instance"`
		Data            string `json:"data"`
		GameShortName   string `json:"game_short_name"`
	}
	if err := json.UnmarshalDecode(dec, &lean); err != nil {
		return err
	}
	*q = tgbotapi.CallbackQuery{ID: lean.ID, From: lean.From, InlineMessageID: lean.InlineMessageID,
		ChatInstance: lean.ChatInstance, Data: lean.Data, GameShortName: lean.GameShortName}
	if m := lean.Message; m != nil {
		q.Message = &tgbotapi.Message{MessageID: m.MessageID, Chat: m.Chat}
	}
	return nil
}

// answer is the Bot API's envelope; result decodes into what the caller
// asked for.
type answer struct {
	Ok          bool                         `json:"ok"`
	ErrorCode   int                          `json:"error_code"`
	Description string                       `json:"description"`
	Parameters  *tgbotapi.ResponseParameters `json:"parameters"`
	Result      result                       `json:"result"`
}

// result decodes an answer's result into into, or skips it when into is nil.
type result struct{ into any }

func (r *result) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if r.into == nil {
		return dec.SkipValue()
	}
	return json.UnmarshalDecode(dec, r.into)
}

// sentMessage is the result of a call that sends a message: only its id
// is read. A result that is not a message leaves ID 0 instead of failing
// the call: the message was sent, and sending it again would repeat it.
type sentMessage struct{ ID int64 }

func (m *sentMessage) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '{' {
		return dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if string(name) != `"message_id"` || dec.PeekKind() != '0' {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		m.ID = tok.Int()
	}
	_, err := dec.ReadToken()
	return err
}

// call makes one request and classifies its failure; the answer's result
// is decoded into out (nil: not looked at). files, when given, are
// uploaded as multipart.
func (a *api) call(ctx context.Context, method string, params tgbotapi.Params, files []tgbotapi.RequestFile, out any) *Error {
	if err := ctx.Err(); err != nil {
		return &Error{Class: ClassCanceled, Method: method, Err: err}
	}
	if len(files) > 0 {
		b := *a.bot
		b.Client = ctxClient{ctx: ctx, c: a.client}
		resp, err := b.UploadFiles(method, params, files)
		if err != nil {
			return classify(ctx, method, err)
		}
		if out != nil {
			if err := json.Unmarshal(resp.Result, out, decodeOptions); err != nil {
				return classify(ctx, method, err)
			}
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+method, bytes.NewReader(jsonBody(params)))
	if err != nil {
		return classify(ctx, method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return classify(ctx, method, err)
	}
	defer resp.Body.Close()
	ans := answer{Result: result{into: out}}
	err = json.UnmarshalRead(io.LimitReader(resp.Body, maxAnswer), &ans, decodeOptions)
	if err != nil {
		// What is left is read, so the connection can serve the next call.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return classify(ctx, method, fmt.Errorf("decode answer: %w", err))
	}
	if !ans.Ok {
		e := &tgbotapi.Error{Code: ans.ErrorCode, Message: ans.Description}
		if ans.Parameters != nil {
			e.ResponseParameters = *ans.Parameters
		}
		return classify(ctx, method, e)
	}
	return nil
}

// paramKind says how a parameter is written in a call's JSON body: the
// Bot API takes numbers, booleans and objects as themselves there, not as
// the strings tgbotapi.Params holds them in. A parameter not named here is
// a string, so one the bot starts to send that is not must be named here.
type paramKind uint8

const (
	asString paramKind = iota
	asInt
	asBool
	asJSON
)

// paramKinds are the parameters the bot sends that are not strings.
var paramKinds = map[string]paramKind{
	"chat_id": asInt, "message_id": asInt, "reply_to_message_id": asInt,
	"offset": asInt, "limit": asInt, "timeout": asInt, "max_connections": asInt,
	"allow_sending_without_reply": asBool,
	"reply_markup":                asJSON, "link_preview_options": asJSON, "allowed_updates": asJSON, "message_ids": asJSON,
}

// jsonBody writes a call's parameters as its JSON body. A call's body used
// to be a form, which escaped every quote, brace and accented letter of its
// keyboard and text: a third of its bytes, and work on both ends. A value
// that is not what its parameter's kind says (a chat's @name) goes as a
// string, which the Bot API also takes.
func jsonBody(p tgbotapi.Params) []byte {
	n := 2
	for k, v := range p {
		n += len(k) + len(v) + 6
	}
	b := make([]byte, 0, n+n/8)
	b = append(b, '{')
	for k, v := range p {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b, _ = jsontext.AppendQuote(b, k)
		b = append(b, ':')
		if literal(paramKinds[k], v) {
			b = append(b, v...)
		} else {
			// Invalid UTF-8 goes as U+FFFD, as encoding/json wrote it.
			b, _ = jsontext.AppendQuote(b, v)
		}
	}
	return append(b, '}')
}

// literal reports whether v is written as it is, being what kind says.
func literal(kind paramKind, v string) bool {
	switch kind {
	case asInt:
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	case asBool:
		return v == "true" || v == "false"
	case asJSON:
		return jsontext.Value(v).IsValid()
	}
	return false
}

// classify turns tgbotapi's error into our typed one.
func classify(ctx context.Context, method string, err error) *Error {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		e := &Error{Method: method, Code: te.Code, Description: te.Message, Err: err}
		d := strings.ToLower(te.Message)
		switch {
		case te.Code == 429:
			e.Class = ClassRateLimited
			e.RetryAfter = time.Duration(te.RetryAfter) * time.Second
			if e.RetryAfter <= 0 {
				e.RetryAfter = time.Second
			}
		case te.Code == 403:
			e.Class = ClassBlocked
		case te.Code == 404 && !strings.Contains(d, "chat not found"):
			e.Class = ClassUnsupported
		case te.Code >= 500:
			e.Class = ClassServer
		default:
			e.Class = ClassRejected
		}
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error carries the URL, and the URL carries the token.
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	if ctx.Err() != nil {
		return &Error{Class: ClassCanceled, Method: method, Err: ctx.Err()}
	}
	if notJSON(err) {
		// A proxy's HTML error page or a truncated answer: the server's fault.
		return &Error{Class: ClassServer, Method: method, Err: err}
	}
	return &Error{Class: ClassNetwork, Method: method, Err: err}
}

// notJSON reports whether err says an answer was not the Bot API's JSON
// (tgbotapi decodes uploads' answers with encoding/json, call the rest).
func notJSON(err error) bool {
	var syn *jsonv1.SyntaxError
	var typ *jsonv1.UnmarshalTypeError
	var syn2 *jsontext.SyntacticError
	var sem *json.SemanticError
	return errors.As(err, &syn) || errors.As(err, &typ) || errors.As(err, &syn2) || errors.As(err, &sem) ||
		errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "invalid character")
}
