// Package routes is how a surface registers its endpoints: on the server's
// mux, or on a List that records them, so the server can see every route of
// every host before it serves one (to find paths two hosts share).
package routes

import "net/http"

// Mux is what a surface registers on; *http.ServeMux is one.
type Mux interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Route is one registration: a ServeMux pattern and its handler.
type Route struct {
	Pattern string
	Handler http.Handler
}

// List records registrations in order.
type List struct {
	Routes []Route
}

// Handle records pattern.
func (l *List) Handle(pattern string, handler http.Handler) {
	l.Routes = append(l.Routes, Route{Pattern: pattern, Handler: handler})
}

// HandleFunc records pattern.
func (l *List) HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request)) {
	l.Handle(pattern, http.HandlerFunc(handler))
}
