// Command gen writes schema-embed.json and terraform-mapping-embed.json for our provider
// wrapper: it reads schema.json and terraform-mapping.json from the provider module
// directory given as the first argument, stamps the schema with the version given as the
// second argument, and writes compact JSON into the directory given as the third.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

func compact(src string, edit func(map[string]any)) ([]byte, error) {
	raw, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if edit != nil {
		edit(doc)
	}
	return json.Marshal(doc)
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gen MODULE_CMD_DIR VERSION OUT_DIR")
		os.Exit(2)
	}
	src, version, out := os.Args[1], os.Args[2], os.Args[3]
	schema, err := compact(filepath.Join(src, "schema.json"), func(m map[string]any) { m["version"] = version })
	if err == nil {
		err = os.WriteFile(filepath.Join(out, "schema-embed.json"), schema, 0o644)
	}
	if err == nil {
		var mapping []byte
		mapping, err = compact(filepath.Join(src, "terraform-mapping.json"), nil)
		if err == nil {
			err = os.WriteFile(filepath.Join(out, "terraform-mapping-embed.json"), mapping, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
