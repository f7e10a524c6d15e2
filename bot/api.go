package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// api makes Bot API calls through go-telegram-bot-api, one context each.
type api struct {
	bot    *tgbotapi.BotAPI
	client *http.Client
}

func newAPI(token, baseURL string, client *http.Client) *api {
	b := &tgbotapi.BotAPI{Token: token, Client: client, Buffer: 100}
	b.SetAPIEndpoint(strings.TrimRight(baseURL, "/") + "/bot%s/%s")
	return &api{bot: b, client: client}
}

// ctxClient gives every request of one call the call's context, which
// tgbotapi's own methods do not take.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c ctxClient) Do(r *http.Request) (*http.Response, error) { return c.c.Do(r.WithContext(c.ctx)) }

// call makes one request and classifies its failure. files, when given,
// are uploaded as multipart.
func (a *api) call(ctx context.Context, method string, params tgbotapi.Params, files []tgbotapi.RequestFile) (json.RawMessage, *Error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Class: ClassCanceled, Method: method, Err: err}
	}
	b := *a.bot
	b.Client = ctxClient{ctx: ctx, c: a.client}
	var resp *tgbotapi.APIResponse
	var err error
	if len(files) > 0 {
		resp, err = b.UploadFiles(method, params, files)
	} else {
		resp, err = b.MakeRequest(method, params)
	}
	if err == nil {
		return resp.Result, nil
	}
	return nil, classify(ctx, method, err)
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
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) || strings.Contains(err.Error(), "invalid character") {
		// A proxy's HTML error page or a truncated answer: the server's fault.
		return &Error{Class: ClassServer, Method: method, Err: err}
	}
	return &Error{Class: ClassNetwork, Method: method, Err: err}
}
