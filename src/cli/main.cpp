#include "cli/app.hpp"

int main(int argc, char** argv) { return ajar::cli::run(argc, argv); }
