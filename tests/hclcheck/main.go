// hclcheck parses each file given with HashiCorp's own HCL parser (hashicorp/hcl/v2, the parser
// Terraform uses) and exits 1 if any has an error. costfix's tests run it on every patched
// fixture. Build offline with Debian's packages:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o hclcheck ./tests/hclcheck
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func main() {
	bad := 0
	for _, name := range os.Args[1:] {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			bad++
			continue
		}
		// costfix keeps a UTF-8 byte-order mark byte for byte; hclsyntax reads one as an invalid
		// character, so it is removed before parsing.
		src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
		_, diags := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1, Byte: 0})
		if diags.HasErrors() {
			fmt.Fprintln(os.Stderr, diags.Error())
			bad++
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
	fmt.Printf("%d file(s) parsed\n", len(os.Args)-1)
}
