// ocrchat: one binary; main only wires the subcommands.
int main() { return 0; }
