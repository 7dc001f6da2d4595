package server

import "github.com/mozilla-services/merino-go/pydantic"

// fieldError is one pydantic v2 validation error, as FastAPI's RequestValidationError lists it;
// package pydantic writes them for every endpoint.
type fieldError = pydantic.Error

func missing(field string) fieldError { return pydantic.Missing(pydantic.Value{}).In("query", field) }

func tooLong(loc, field, input string, max int) fieldError {
	return pydantic.TooLong(input, max).In(loc, field)
}

func tooShort(field, input string, min int) fieldError {
	return pydantic.TooShort(input, min).In("query", field)
}

const sourceLiterals = "'urlbar', 'newtab' or 'unknown'"

func notSource(input string) fieldError {
	return pydantic.Literal(pydantic.Str(input), sourceLiterals).In("query", "source")
}

const requestTypePattern = "^(location|weather)$"

func notRequestType(input string) fieldError {
	return pydantic.Pattern(input, requestTypePattern).In("query", "request_type")
}

// appendValidationBody writes FastAPI's 400 body: {"detail":[error, ...]}.
func appendValidationBody(dst []byte, errs []fieldError) []byte {
	return pydantic.AppendBody(dst, errs)
}

// appendDetail writes an HTTPException body: {"detail":"..."}.
func appendDetail(dst []byte, detail string) []byte { return pydantic.AppendDetail(dst, detail) }
