package config

import (
	"encoding"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Environment variables with a meaning of their own.
const (
	// EnvPrefix starts every variable that overrides a key.
	EnvPrefix = "SALESDESK_"
	// EnvConfigPath may name the config file for the command line; Load
	// itself ignores it.
	EnvConfigPath = "SALESDESK_CONFIG"
	// envTestPrefix belongs to the test suite (internal/testenv).
	envTestPrefix = "SALESDESK_TEST_"
)

// maxSecretFile bounds a *_file read, so a path to /dev/zero or a log file
// fails instead of filling memory.
const maxSecretFile = 64 << 10

// maxEnvIndex bounds the list index an environment variable may name.
const maxEnvIndex = 999

// Load reads the YAML file at path (none when path is ""), applies the
// SALESDESK_* environment, reads *_file secrets and applies the address
// fallbacks. A bad key, value or variable makes it return Problems, each
// naming its key; a file it cannot read or parse is a wrapped error.
// Load does not Validate.
func Load(path string) (Config, error) {
	return LoadEnv(path, os.Environ())
}

// LoadEnv is Load with the environment given as "NAME=value" entries, as
// os.Environ returns them.
func LoadEnv(path string, environ []string) (Config, error) {
	cfg, problems, err := load(path, environ)
	if err != nil {
		return Config{}, err
	}
	if len(problems) > 0 {
		return Config{}, problems
	}
	return cfg, nil
}

// load returns the best configuration it could build along with the
// problems met on the way; err is set only when the file is unusable.
func load(path string, environ []string) (Config, Problems, error) {
	var data []byte
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return Config{}, nil, fmt.Errorf("read config: %w", err)
		}
	}
	return build(path, data, environ)
}

// build is load once the file is read; data is nil without a file.
func build(path string, data []byte, environ []string) (Config, Problems, error) {
	cfg := Default()
	d := &decoder{}
	root := reflect.ValueOf(&cfg).Elem()
	if data != nil {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return Config{}, nil, fmt.Errorf("parse config %s: %w", path, err)
		}
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			d.decode("", doc.Content[0], root)
		}
	}
	d.env(root, environ)
	d.files("", root)
	cfg.ApplyFallbacks()
	return cfg, d.problems, nil
}

type decoder struct {
	problems Problems
	// secrets holds the keys of the Secrets the file or the environment
	// set, so that a default (database.dsn) gives way to <key>_file while
	// an explicit value next to <key>_file is a conflict.
	secrets map[string]bool
	// aliases counts alias expansions: the walk follows aliases itself,
	// so a file of nested aliases ("billion laughs") must not make it
	// expand without end.
	aliases int
}

// maxAliases bounds alias expansions per load; real files use a handful.
const maxAliases = 10000

// follow resolves an alias node, or reports the expansion limit and
// returns nil.
func (d *decoder) follow(key string, n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.AliasNode {
		return n
	}
	d.aliases++
	if d.aliases == maxAliases+1 {
		d.add(key, "too many alias expansions (more than %d)", maxAliases)
	}
	if d.aliases > maxAliases {
		return nil
	}
	return n.Alias
}

func (d *decoder) setSecret(key string) {
	if d.secrets == nil {
		d.secrets = map[string]bool{}
	}
	d.secrets[key] = true
}

func (d *decoder) add(key, format string, args ...any) {
	if key == "" {
		key = "config"
	}
	d.problems = append(d.problems, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	secretType          = reflect.TypeFor[Secret]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// defaulter is a list element that starts from defaults rather than zero
// values (a mailbox polls INBOX with IDLE unless told otherwise).
type defaulter interface{ setDefaults() }

// isLeaf reports whether t is set from one scalar.
func isLeaf(t reflect.Type) bool {
	if t == durationType || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// keyName returns a struct field's YAML key, "" for an untagged field.
func keyName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// field returns v's field with YAML key name.
func field(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if keyName(t.Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func join(key, name string) string {
	if key == "" {
		return name
	}
	return key + "." + name
}

func index(key string, i int) string { return key + "[" + strconv.Itoa(i) + "]" }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "a single value"
	}
}

// decode sets v from n, naming every unknown key and bad value by its
// path. It replaces yaml's own decoding because yaml's KnownFields error
// names a Go type and a line, not the key, and is not applied inside
// custom unmarshalers (which list elements with defaults would need).
func (d *decoder) decode(key string, n *yaml.Node, v reflect.Value) {
	if n = d.follow(key, n); n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value keeps the default
	}
	t := v.Type()
	switch {
	case isLeaf(t):
		if n.Kind != yaml.ScalarNode {
			d.add(key, "expected a single value, got %s", kindName(n))
			return
		}
		if err := setScalar(v, n.Value); err != nil {
			d.add(key, "%v", err)
		}
		if t == secretType {
			d.setSecret(key)
		}
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.add(key, "expected a mapping (key: value lines), got %s", kindName(n))
			return
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Value == "<<" && k.Tag == "!!merge" {
				d.merge(key, val, v)
				continue
			}
			sub := join(key, k.Value)
			if seen[k.Value] {
				d.add(sub, "duplicate key (line %d)", k.Line)
				continue
			}
			seen[k.Value] = true
			f, ok := field(v, k.Value)
			if !ok {
				d.add(sub, "unknown key")
				continue
			}
			d.decode(sub, val, f)
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.add(key, "expected a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, el := range n.Content {
			startDefault(s.Index(i))
			d.decode(index(key, i), el, s.Index(i))
		}
		v.Set(s)
	default:
		panic(fmt.Sprintf("config: %s has unsupported type %s", key, t))
	}
}

// merge applies a YAML merge key ("<<: *defaults") to the struct v.
func (d *decoder) merge(key string, n *yaml.Node, v reflect.Value) {
	if n = d.follow(key, n); n == nil {
		return
	}
	if n.Kind == yaml.SequenceNode {
		for _, el := range n.Content {
			d.merge(key, el, v)
		}
		return
	}
	d.decode(key, n, v)
}

func startDefault(el reflect.Value) {
	if df, ok := el.Addr().Interface().(defaulter); ok {
		df.setDefaults()
	}
}

// setScalar parses s into the leaf v. Its errors never quote a Secret.
func setScalar(v reflect.Value, s string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	if v.Type() == durationType {
		dur, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("invalid duration %q (write e.g. 30s, 5m, 24h)", s)
		}
		v.SetInt(int64(dur))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("invalid value %q: must be true or false", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("invalid value %q: must be a whole number", s)
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("invalid value %q: must be a whole number, 0 or more", s)
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			return fmt.Errorf("invalid value %q: must be a number", s)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

// segment is one step of a key path: a struct field or a list index.
type segment struct {
	name    string
	index   int
	isIndex bool
}

// resolveEnv returns every key path whose environment name is rest (the
// variable's name without the prefix), so that ambiguity can be reported.
func resolveEnv(t reflect.Type, rest string) [][]segment {
	var out [][]segment
	switch {
	case isLeaf(t):
		return nil
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			name := keyName(f)
			if name == "" {
				continue
			}
			up := strings.ToUpper(name)
			here := segment{name: name}
			if rest == up {
				out = append(out, []segment{here})
			} else if tail, ok := strings.CutPrefix(rest, up+"_"); ok {
				for _, sub := range resolveEnv(f.Type, tail) {
					out = append(out, append([]segment{here}, sub...))
				}
			}
		}
	case t.Kind() == reflect.Slice:
		digits := 0
		for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
			digits++
		}
		if digits == 0 {
			return nil
		}
		i, err := strconv.Atoi(rest[:digits])
		if err != nil || i > maxEnvIndex {
			return nil
		}
		here := segment{index: i, isIndex: true}
		if digits == len(rest) {
			return [][]segment{{here}}
		}
		if tail, ok := strings.CutPrefix(rest[digits:], "_"); ok {
			for _, sub := range resolveEnv(t.Elem(), tail) {
				out = append(out, append([]segment{here}, sub...))
			}
		}
	}
	return out
}

func pathKey(segs []segment) string {
	key := ""
	for _, s := range segs {
		if s.isIndex {
			key = index(key, s.index)
		} else {
			key = join(key, s.name)
		}
	}
	return key
}

// EnvName returns the environment variable that overrides key, for
// example "mailboxes[0].password" -> "SALESDESK_MAILBOXES_0_PASSWORD".
func EnvName(key string) string {
	r := strings.NewReplacer(".", "_", "[", "_", "]", "")
	return EnvPrefix + strings.ToUpper(r.Replace(key))
}

// env applies the SALESDESK_* variables in name order, so a whole list
// (SALESDESK_MAILBOXES) comes before its elements (SALESDESK_MAILBOXES_0_...).
func (d *decoder) env(root reflect.Value, environ []string) {
	vars := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) ||
			strings.HasPrefix(name, envTestPrefix) || name == EnvConfigPath {
			continue
		}
		vars[name] = value
	}
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		paths := resolveEnv(root.Type(), strings.TrimPrefix(name, EnvPrefix))
		switch len(paths) {
		case 0:
			d.add(name, "unknown environment variable: it names no config key")
		case 1:
			d.setEnv(root, paths[0], name, vars[name])
		default:
			keys := make([]string, len(paths))
			for i, p := range paths {
				keys[i] = pathKey(p)
			}
			d.add(name, "ambiguous environment variable: names %s", strings.Join(keys, " and "))
		}
	}
}

func (d *decoder) setEnv(root reflect.Value, path []segment, name, value string) {
	v := root
	for _, s := range path {
		if !s.isIndex {
			v, _ = field(v, s.name)
			continue
		}
		if v.Len() <= s.index {
			grown := reflect.MakeSlice(v.Type(), s.index+1, s.index+1)
			reflect.Copy(grown, v)
			for i := v.Len(); i < grown.Len(); i++ {
				startDefault(grown.Index(i))
			}
			v.Set(grown)
		}
		v = v.Index(s.index)
	}
	key := pathKey(path)
	t := v.Type()
	switch {
	case isLeaf(t):
		if err := setScalar(v, value); err != nil {
			d.add(key, "from %s: %v", name, err)
		}
		if t == secretType {
			d.setSecret(key)
		}
	case t.Kind() == reflect.Slice && isLeaf(t.Elem()) && !strings.HasPrefix(strings.TrimSpace(value), "["):
		var items []string
		for item := range strings.SplitSeq(value, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		s := reflect.MakeSlice(t, len(items), len(items))
		for i, item := range items {
			if err := setScalar(s.Index(i), item); err != nil {
				d.add(index(key, i), "from %s: %v", name, err)
			}
		}
		v.Set(s)
	default:
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
			d.add(key, "from %s: %v", name, err)
			return
		}
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			d.decode(key, doc.Content[0], v)
		}
	}
}

// files reads every Secret whose sibling <key>_file is set.
func (d *decoder) files(key string, v reflect.Value) {
	t := v.Type()
	switch {
	case isLeaf(t):
	case t.Kind() == reflect.Slice:
		for i := range v.Len() {
			d.files(index(key, i), v.Index(i))
		}
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			name := keyName(f)
			if f.Type != secretType {
				d.files(join(key, name), v.Field(i))
				continue
			}
			pathField, ok := field(v, name+"_file")
			if !ok {
				panic(fmt.Sprintf("config: secret %s has no %s_file", join(key, name), name))
			}
			path := pathField.String()
			if path == "" {
				continue
			}
			fileKey := join(key, name+"_file")
			if d.secrets[join(key, name)] && v.Field(i).String() != "" {
				d.add(fileKey, "set only one of %s and %s_file", name, name)
				continue
			}
			secret, err := readSecretFile(path)
			if err != nil {
				d.add(fileKey, "%v", err)
				continue
			}
			v.Field(i).SetString(secret)
		}
	}
}

func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxSecretFile {
		return "", fmt.Errorf("%s: larger than %d bytes, not a secret file", path, maxSecretFile)
	}
	secret := strings.TrimSpace(string(data))
	if secret == "" {
		return "", fmt.Errorf("%s: empty", path)
	}
	return secret, nil
}

// Problem is one thing wrong with the configuration, at one key.
type Problem struct {
	Key     string // "smtp.addr", "mailboxes[0].password", or an env var name
	Message string // "required"
}

// Error returns "key: message".
func (p Problem) Error() string { return p.Key + ": " + p.Message }

// Problems is every problem found; Load returns it as its error.
type Problems []Problem

// Error joins the problems with "; ".
func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "; ")
}

// Check loads and validates the file at path (the environment applies)
// and returns one line per problem, each naming its key; none means the
// configuration is good. It is `salesdesk config check`.
func Check(path string) []string {
	return checkEnv(path, os.Environ())
}

func checkEnv(path string, environ []string) []string {
	cfg, problems, err := load(path, environ)
	if err != nil {
		return []string{err.Error()}
	}
	problems = append(problems, cfg.Validate()...)
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = p.Error()
	}
	return lines
}
