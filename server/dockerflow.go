package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/suggest"
)

// appendProviders renders /api/v1/providers once: a JSON list in config order (merino-py's
// docstring promises a map; the code returns a list, which is what Firefox reads).
func appendProviders(dst []byte, all []suggest.Provider) []byte {
	dst = append(dst, '[')
	for i, p := range all {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = jsonw.AppendString(dst, p.ID())
		dst = append(dst, `,"availability":`...)
		dst = jsonw.AppendString(dst, p.Availability().String())
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func (s *Server) providers(ctx *fasthttp.RequestCtx, _ *exchange) {
	writeJSON(ctx, fasthttp.StatusOK, s.providersDoc)
}

// version serves the version file validated as merino-py's Version model: exactly the keys
// source (an http(s) URL, normalised), version, commit and build, all strings.
func (s *Server) version(ctx *fasthttp.RequestCtx, x *exchange) {
	data, err := readVersion(s.opts.VersionFile)
	if errors.Is(err, fs.ErrNotExist) {
		x.buf = appendDetail(x.buf[:0], "Version file does not exist")
		sendJSON(ctx, fasthttp.StatusInternalServerError, x)
		return
	}
	if err == nil {
		x.buf, err = appendVersion(x.buf[:0], data)
	}
	if err != nil {
		// merino-py fails validation with an unhandled exception: Starlette's plain 500.
		s.log.Error("cannot serve the version file", "path", s.opts.VersionFile, "error", err.Error())
		ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("Internal Server Error")
		return
	}
	sendJSON(ctx, fasthttp.StatusOK, x)
}

func appendVersion(dst, data []byte) ([]byte, error) {
	var v struct {
		Source  *string `json:"source"`
		Version *string `json:"version"`
		Commit  *string `json:"commit"`
		Build   *string `json:"build"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return dst, fmt.Errorf("invalid version file: %w", err)
	}
	if v.Source == nil || v.Version == nil || v.Commit == nil || v.Build == nil {
		return dst, errors.New("invalid version file: source, version, commit and build are required")
	}
	source, err := httpurl.Normalize(*v.Source)
	if err != nil {
		return dst, fmt.Errorf("invalid version file: source: %w", err)
	}
	dst = append(dst, `{"source":`...)
	dst = jsonw.AppendString(dst, source)
	dst = append(dst, `,"version":`...)
	dst = jsonw.AppendString(dst, *v.Version)
	dst = append(dst, `,"commit":`...)
	dst = jsonw.AppendString(dst, *v.Commit)
	dst = append(dst, `,"build":`...)
	dst = jsonw.AppendString(dst, *v.Build)
	return append(dst, '}'), nil
}

// errorEndpoint is /__error__: it logs an error and fails, to test error reporting.
func (s *Server) errorEndpoint(ctx *fasthttp.RequestCtx, _ *exchange) {
	s.log.Error("The __error__ endpoint was called")
	writeJSON(ctx, fasthttp.StatusInternalServerError, detailEmpty)
}

var detailEmpty = []byte(`{"detail":""}`)

// root redirects to the API documentation, as FastAPI's RedirectResponse does (307).
func (s *Server) root(ctx *fasthttp.RequestCtx, _ *exchange) {
	ctx.Response.Header.Set(fasthttp.HeaderLocation, "/docs")
	ctx.SetStatusCode(fasthttp.StatusTemporaryRedirect)
}
