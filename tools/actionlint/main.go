// Command actionlint is github.com/rhysd/actionlint/cmd/actionlint, built from the Go module
// proxy so the workflow files are linted offline (test/workflows) and in CI with one pinned version.
package main

import (
	"os"

	"github.com/rhysd/actionlint"
)

func main() {
	cmd := actionlint.Command{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(cmd.Main(os.Args))
}
