package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxPasswordInput bounds what is read for a password (bcrypt uses 72 bytes).
const maxPasswordInput = 1024

// readPassword reads a new password: from a prompt without echo, twice, when
// in is a terminal, else the first line of in. Never from a flag, which
// would leave it in the shell history and the process list.
func readPassword(in io.Reader, prompt io.Writer, who string) (string, error) {
	if f, ok := in.(*os.File); ok && isTerminal(f) {
		fmt.Fprintf(prompt, "New password for %s: ", who)
		first, err := readNoEcho(f)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		fmt.Fprint(prompt, "Repeat it: ")
		second, err := readNoEcho(f)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if first != second {
			return "", errors.New("the two passwords differ; nothing was changed")
		}
		return first, nil
	}
	return readLine(in)
}

// readLine returns the first line of in, without its line ending.
func readLine(in io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(in, maxPasswordInput)).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no password on stdin: pipe it in (echo ... | invcloud user set-password USER) or run in a terminal")
		}
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
