/*
 * The fwrule(7) language: lexer and grammar.
 *
 *     FROM <targets> TO <targets> <ALLOW|BLOCK> <protocol> [PRIORITY <n>]
 *
 * `npm run build` turns this file into src/generated/fwrule-parser.js
 * (scripts/gen-parser.js); src/core/fwrule/parse.ts runs it. The actions
 * only build values: every check of a word, number or address is a `yy`
 * function supplied by parse.ts (src/core/fwrule/actions.ts), so the rules
 * of the language live in TypeScript and the one address model parses
 * every address.
 *
 * Token and symbol names, and the order in which they first appear, are
 * those of SmartOS's own fwrule grammar: a syntax error lists the tokens
 * it expected in that order, and SmartOS's messages are the reference.
 */

%lex

%%

/*
 * Each token takes the whitespace before it (yy.token trims it off), so
 * spaces cost no extra lexer round; the commonest tokens come first, and a
 * word may not run into `.` or `:` (then it is an address, tried next).
 * Where the input has no token at all, the whitespace rule near the end
 * moves past the spaces first, so errors point where SmartOS's do.
 * A quoted string is matched up to its opening quote; yy.string reads the
 * rest with a loop (a regex repeating a group per character or escape
 * overflows the stack on a string of a few megabytes).
 */
\s*[a-zA-Z0-9_][-a-zA-Z0-9_]*(?![-a-zA-Z0-9_.:])        return yy.word(this)
\s*[-,=()]                                             return yy.token(this)
\s*\"                                                  return yy.string(this)
\s*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}       return yy.token(this, 'IPV4ADDR')
\s*[0-9a-fA-F]*\:[0-9a-fA-F]*\:[:0-9a-fA-F.]*(?:\%[^\s()/]*)?   return yy.token(this, 'IPV6ADDR')
\s*\/[0-9]{1,3}                                        return yy.token(this, 'CIDRSUFFIX')
\s*[a-zA-Z0-9_][-a-zA-Z0-9_]*                          return yy.word(this)
\s+                                                    /* skip */
<<EOF>>                                                return 'EOF'

/lex

%start start

%%

start
    : FROM target_list TO target_list action protocol EOF
        { return yy.rule($2, $4, $5, $6, 0); }
    | FROM target_list TO target_list action protocol PRIORITY priolevel EOF
        { return yy.rule($2, $4, $5, $6, $8); }
    ;

priolevel
    : WORD
        { $$ = yy.priority($1); }
    ;

target_list
    : any
    | all
    | '(' target_or_list ')'
        { $$ = $2; }
    | target
        { $$ = [$1]; }
    ;

target_or_list
    : target
        { $$ = [$1]; }
    | target_or_list OR target
        { $1.push($3); $$ = $1; }
    ;

target
    : ipv4
    | ipv4_subnet
    | ipv6
    | ipv6_subnet
    | tag
    | vm
    ;

all
    : ALL VMS
        { $$ = [yy.ALL_VMS]; }
    | '(' ALL VMS ')'
        { $$ = [yy.ALL_VMS]; }
    ;

any
    : ANY
        { $$ = [yy.ANY]; }
    | '(' ANY ')'
        { $$ = [yy.ANY]; }
    ;

ipv4
    : IP IPV4ADDR
        { $$ = yy.ip($2, 4); }
    ;

ipv4_subnet
    : SUBNET IPV4ADDR CIDRSUFFIX
        { $$ = yy.subnet($2, $3); }
    ;

ipv6
    : IP IPV6ADDR
        { $$ = yy.ip($2, 6); }
    ;

ipv6_subnet
    : SUBNET IPV6ADDR CIDRSUFFIX
        { $$ = yy.subnet($2, $3); }
    ;

vm
    : VM uuid
        { $$ = $2; }
    ;

uuid
    : WORD
        { $$ = yy.vm($1); }
    ;

tag
    : TAG tag_string
        { $$ = yy.tag($2); }
    | TAG tag_string '=' tag_string
        { $$ = yy.tag($2, $4); }
    ;

tag_string
    : WORD
    | STRING
        { $$ = yy.unquote($1); }
    ;

action
    : BLOCK
        { $$ = 'block'; }
    | ALLOW
        { $$ = 'allow'; }
    ;

protocol
    : TCP port_list
        { $$ = yy.ports('tcp', $2); }
    | TCP ports
        { $$ = yy.ports('tcp', $2); }
    | UDP port_list
        { $$ = yy.ports('udp', $2); }
    | UDP ports
        { $$ = yy.ports('udp', $2); }
    | ICMP type_list
        { $$ = yy.types('icmp', $2); }
    | ICMP6 type_list
        { $$ = yy.types('icmp6', $2); }
    | AH
        { $$ = yy.AH; }
    | ESP
        { $$ = yy.ESP; }
    ;

port_list
    : '(' port_and_list ')'
        { $$ = $2; }
    | '(' port_all ')'
        { $$ = $2; }
    | port
        { $$ = [$1]; }
    | port_all
    ;

port_and_list
    : port
        { $$ = [$1]; }
    | port_and_list AND port
        { $1.push($3); $$ = $1; }
    ;

port
    : PORT portnumber
        { $$ = yy.port($2); }
    ;

port_all
    : PORT ALL
        { $$ = 'all'; }
    ;

portnumber
    : WORD
    ;

ports
    : PORTS portnumbers
        { $$ = $2; }
    ;

portrange
    : WORD
        { $$ = yy.portOrRange($1); }
    | WORD '-' WORD
        { $$ = yy.range($1, $3); }
    ;

portnumbers
    : portrange
        { $$ = [$1]; }
    | portnumbers ',' portrange
        { $1.push($3); $$ = $1; }
    ;

type_list
    : '(' type_and_list ')'
        { $$ = $2; }
    | '(' type_all ')'
        { $$ = $2; }
    | type
        { $$ = [$1]; }
    | type_all
    ;

type_and_list
    : type
        { $$ = [$1]; }
    | type_and_list AND type
        { $1.push($3); $$ = $1; }
    ;

type
    : TYPE icmptype
        { $$ = { type: $2 }; }
    | TYPE icmptype CODE icmpcode
        { $$ = { type: $2, code: $4 }; }
    ;

type_all
    : TYPE ALL
        { $$ = 'all'; }
    ;

icmptype
    : WORD
        { $$ = yy.icmpNumber($1, 'type'); }
    ;

icmpcode
    : WORD
        { $$ = yy.icmpNumber($1, 'code'); }
    ;
