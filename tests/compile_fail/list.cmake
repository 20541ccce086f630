# Compile-fail tests, one or more per diagnostic code (docs/errors.md).
# Each <name>.cpp compiles as is and must fail with ANONAUTH_EXPECT_FAIL defined;
# the test passes only if the build output carries the expected tag.
# anonauth_compile_fail() is defined in cmake/AnonauthTesting.cmake.

# link migrations
anonauth_compile_fail(e001_column_not_in_schema "\\[anonauth\\.E001\\]")
anonauth_compile_fail(e002_not_a_user_reference "\\[anonauth\\.E002\\]")
anonauth_compile_fail(e002_user_reference_type_mismatch "\\[anonauth\\.E002\\]")
anonauth_compile_fail(e002_reassign_undeclared_column_sqlite "\\[anonauth\\.E002\\]")
anonauth_compile_fail(e003_unhandled_user_reference "\\[anonauth\\.E003\\]")
anonauth_compile_fail(e004_copy_core_field "\\[anonauth\\.E004\\]")
anonauth_compile_fail(e004_copy_member_of_other_table "\\[anonauth\\.E004\\]")
anonauth_compile_fail(e005_duplicate_migrator "\\[anonauth\\.E005\\]")
anonauth_compile_fail(e006_copy_if_empty_needs_text "\\[anonauth\\.E006\\]")
anonauth_compile_fail(e007_not_a_migrator "\\[anonauth\\.E007\\]")
anonauth_compile_fail(e008_user_table_is_read_only "\\[anonauth\\.E008\\]")
anonauth_compile_fail(e008_user_table_is_read_only_in_a_migrator_sqlite "\\[anonauth\\.E008\\]")

# schema
anonauth_compile_fail(e010_missing_core_field "\\[anonauth\\.E010\\]")
anonauth_compile_fail(e011_user_ref_not_in_row "\\[anonauth\\.E011\\]")
anonauth_compile_fail(e011_user_ref_type_mismatch "\\[anonauth\\.E011\\]")
anonauth_compile_fail(e012_duplicate_table "\\[anonauth\\.E012\\]")
anonauth_compile_fail(e012_duplicate_table_name "\\[anonauth\\.E012\\]")
anonauth_compile_fail(e012_needs_one_user_table "\\[anonauth\\.E012\\]")
anonauth_compile_fail(e013_not_a_table "\\[anonauth\\.E013\\]")
anonauth_compile_fail(e014_table_without_id "\\[anonauth\\.E014\\]")
anonauth_compile_fail(e015_row_not_described "\\[anonauth\\.E015\\]")
anonauth_compile_fail(e016_server_set_core_field "\\[anonauth\\.E016\\]")
anonauth_compile_fail(e016_server_set_other_table "\\[anonauth\\.E016\\]")

# options and policies
anonauth_compile_fail(e100_not_a_schema "\\[anonauth\\.E100\\]")
anonauth_compile_fail(e101_not_an_option "\\[anonauth\\.E101\\]")
anonauth_compile_fail(e102_duplicate_option "\\[anonauth\\.E102\\]")
anonauth_compile_fail(e103_constructor_argument_not_a_policy "\\[anonauth\\.E103\\]")
anonauth_compile_fail(e110_not_a_storage_policy "\\[anonauth\\.E110\\]")
anonauth_compile_fail(e111_not_an_email_policy "\\[anonauth\\.E111\\]")
anonauth_compile_fail(e112_not_a_naming_policy "\\[anonauth\\.E112\\]")
anonauth_compile_fail(e113_not_link_migrations "\\[anonauth\\.E113\\]")
anonauth_compile_fail(e114_not_a_password_hasher "\\[anonauth\\.E114\\]")
anonauth_compile_fail(e115_not_a_clock "\\[anonauth\\.E115\\]")
anonauth_compile_fail(e116_not_a_random_source "\\[anonauth\\.E116\\]")
anonauth_compile_fail(e117_not_a_custom_migrator "\\[anonauth\\.E117\\]")
anonauth_compile_fail(e118_not_a_session_policy "\\[anonauth\\.E118\\]")
anonauth_compile_fail(e119_not_a_rate_limit_policy "\\[anonauth\\.E119\\]")
anonauth_compile_fail(e119_per_ip_without_budget "\\[anonauth\\.E119\\]")
anonauth_compile_fail(e120_argon2id_cost_too_low "\\[anonauth\\.E120\\]")
anonauth_compile_fail(e121_not_an_audit_sink "\\[anonauth\\.E121\\]")
anonauth_compile_fail(e121_audit_sink_not_given "\\[anonauth\\.E121\\]")
anonauth_compile_fail(e122_not_a_sign_up_mode "\\[anonauth\\.E122\\]")

# storages (anonauth::sqlite)
if(TARGET anonauth::sqlite)
  anonauth_compile_fail(e130_member_sqlite_cannot_store "\\[anonauth\\.E130\\]")
endif()

# the HTTP layer (anonauth::http)
if(TARGET anonauth::http)
  anonauth_compile_fail(e140_member_without_json_form "\\[anonauth\\.E140\\]")
  anonauth_compile_fail(e141_not_an_id_token_verifier "\\[anonauth\\.E141\\]")
endif()
