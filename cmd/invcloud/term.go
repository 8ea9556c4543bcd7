package main

import (
	"errors"
	"os"

	"golang.org/x/term"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// readNoEcho reads a line from the terminal f with echo off; x/term restores
// the terminal after.
func readNoEcho(f *os.File) (string, error) {
	b, err := term.ReadPassword(int(f.Fd()))
	if err != nil {
		return "", err
	}
	if len(b) > maxPasswordInput {
		return "", errors.New("the password is too long")
	}
	return string(b), nil
}
