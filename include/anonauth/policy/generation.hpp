// anonauth/policy/generation.hpp: the email and naming concepts, their context and their built-in
// models. Each concept now has its header (policy/email.hpp, policy/naming.hpp, with
// policy/generation_context.hpp), the models are in generation/.
#pragma once

#include <anonauth/generation/email.hpp>
#include <anonauth/generation/naming.hpp>
#include <anonauth/policy/email.hpp>
#include <anonauth/policy/generation_context.hpp>
#include <anonauth/policy/naming.hpp>
