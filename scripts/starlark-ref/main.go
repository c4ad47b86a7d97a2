// starlark-ref: the starlark-go reference interpreter for choreo's
// differential tests (test/starlark/differential.test.ts,
// bench/starlark/diff.ts). Built by scripts/build-starlark-ref.sh from
// Debian's golang-starlark-dev (go.starlark.net, 2021-01); never shipped.
//
//	starlark-ref [-o set] [-o while] ... FILE   run one file: print() to stdout,
//	                                            error to stderr, exit 1 on error
//	starlark-ref -batch                         JSON array of {src, options} on
//	                                            stdin -> one JSON result per line
//
// Key idea: the default is the original choreo's zero-value FileOptions (no
// set, no while, no top-level control, no global reassignment, no recursion).
// The 2021 library has package-level flags that are coarser than the 2024
// FileOptions: toplevelcontrol implies globalreassign and while implies
// recursion (AllowGlobalReassign / AllowRecursion); callers keep to that.
// load("json.star", "json") gives go.starlark.net/starlarkjson, with one
// drift corrected: json.encode writes floats as the original's 2024 pin does
// (Float.String: "1.0", not the 2021 "%g" "1"). The 2021 library has no math
// or time module, so those loads fail ("no such module").
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkjson"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

type job struct {
	Src     string   `json:"src"`
	Options []string `json:"options"`
}

type result struct {
	Out  string `json:"out"`
	Err  string `json:"err,omitempty"`  // the message alone, as starlark-go words it
	Line int    `json:"line,omitempty"` // innermost line of the error in the file
	Kind string `json:"kind,omitempty"` // "syntax" (scan, parse, resolve) or "eval"
	Full string `json:"-"`              // positioned message or backtrace, for the terminal
}

// maxSteps bounds a generated program that loops for too long; never reached by a real test.
const maxSteps = 50_000_000

func setOptions(opts []string) error {
	resolve.AllowSet, resolve.AllowGlobalReassign, resolve.AllowRecursion = false, false, false
	for _, o := range opts {
		switch o {
		case "set":
			resolve.AllowSet = true
		case "globalreassign", "toplevelcontrol":
			resolve.AllowGlobalReassign = true
		case "recursion", "while":
			resolve.AllowRecursion = true
		default:
			return fmt.Errorf("unknown dialect option %q", o)
		}
	}
	return nil
}

// jsonFloat is a float that encodes as starlark-go 2024's json.encode does.
type jsonFloat struct{ starlark.Float }

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f.Float)
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil, fmt.Errorf("cannot encode non-finite float %v", f.Float)
	}
	return []byte(f.Float.String()), nil
}

// withJSONFloats copies lists, tuples and dicts, wrapping every float.
func withJSONFloats(v starlark.Value) starlark.Value {
	switch x := v.(type) {
	case starlark.Float:
		return jsonFloat{x}
	case *starlark.List:
		elems := make([]starlark.Value, x.Len())
		for i := range elems {
			elems[i] = withJSONFloats(x.Index(i))
		}
		return starlark.NewList(elems)
	case starlark.Tuple:
		elems := make(starlark.Tuple, len(x))
		for i := range x {
			elems[i] = withJSONFloats(x[i])
		}
		return elems
	case *starlark.Dict:
		d := starlark.NewDict(x.Len())
		for _, kv := range x.Items() {
			_ = d.SetKey(kv[0], withJSONFloats(kv[1]))
		}
		return d
	}
	return v
}

var jsonModule = func() *starlarkstruct.Module {
	members := starlark.StringDict{}
	for k, v := range starlarkjson.Module.Members {
		members[k] = v
	}
	encode := starlarkjson.Module.Members["encode"].(*starlark.Builtin)
	members["encode"] = starlark.NewBuiltin("json.encode", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(args) == 1 {
			args = starlark.Tuple{withJSONFloats(args[0])}
		}
		return starlark.Call(thread, encode, args, kwargs)
	})
	return &starlarkstruct.Module{Name: "json", Members: members}
}()

func load(_ *starlark.Thread, module string) (starlark.StringDict, error) {
	if module == "json.star" {
		return starlark.StringDict{"json": jsonModule}, nil
	}
	return nil, errors.New("no such module")
}

func run(filename, src string, opts []string) result {
	var out strings.Builder
	if err := setOptions(opts); err != nil {
		return result{Err: err.Error(), Kind: "usage", Full: err.Error()}
	}
	thread := &starlark.Thread{
		Name:  "main",
		Print: func(_ *starlark.Thread, msg string) { out.WriteString(msg); out.WriteByte('\n') },
		Load:  load,
	}
	thread.SetMaxExecutionSteps(maxSteps)
	_, err := starlark.ExecFile(thread, filename, src, nil)
	r := result{Out: out.String()}
	if err == nil {
		return r
	}
	var evalErr *starlark.EvalError
	var synErr syntax.Error
	var resErrs resolve.ErrorList
	switch {
	case errors.As(err, &evalErr):
		r.Err, r.Kind, r.Full = evalErr.Msg, "eval", evalErr.Backtrace()
		for _, f := range evalErr.CallStack {
			if f.Pos.Filename() == filename {
				r.Line = int(f.Pos.Line)
			}
		}
	case errors.As(err, &synErr):
		r.Err, r.Kind, r.Line, r.Full = synErr.Msg, "syntax", int(synErr.Pos.Line), synErr.Error()
	case errors.As(err, &resErrs):
		r.Err, r.Kind, r.Line, r.Full = resErrs[0].Msg, "syntax", int(resErrs[0].Pos.Line), resErrs[0].Error()
	default:
		r.Err, r.Kind, r.Full = err.Error(), "eval", err.Error()
	}
	return r
}

// runSafely turns a Go panic (e.g. a stack overflow is fatal and cannot be
// caught, but an internal panic can) into an error result.
func runSafely(src string, opts []string) (r result) {
	defer func() {
		if p := recover(); p != nil {
			r = result{Err: fmt.Sprintf("reference panicked: %v", p), Kind: "panic"}
		}
	}()
	return run("prog.star", src, opts)
}

func main() {
	// A runaway recursion (e.g. printing a cyclic value) kills the process:
	// let it die quickly instead of growing the stack to 1 GB.
	debug.SetMaxStack(64 << 20)
	args := os.Args[1:]
	var opts []string
	batch := false
	file := ""
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-o" && i+1 < len(args):
			opts = append(opts, args[i+1])
			i++
		case args[i] == "-batch":
			batch = true
		default:
			file = args[i]
		}
	}
	if batch {
		var jobs []job
		if err := json.NewDecoder(os.Stdin).Decode(&jobs); err != nil {
			fmt.Fprintln(os.Stderr, "starlark-ref: bad batch input:", err)
			os.Exit(2)
		}
		w := bufio.NewWriter(os.Stdout)
		enc := json.NewEncoder(w)
		for _, j := range jobs {
			_ = enc.Encode(runSafely(j.Src, j.Options))
		}
		_ = w.Flush()
		return
	}
	if file == "" {
		fmt.Fprintln(os.Stderr, "usage: starlark-ref [-o OPTION]... FILE | starlark-ref -batch < jobs.json")
		os.Exit(2)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r := run(file, string(src), opts)
	os.Stdout.WriteString(r.Out)
	if r.Kind != "" {
		fmt.Fprintln(os.Stderr, r.Full)
		os.Exit(1)
	}
}
