"""POST /prompt validation, ported from ComfyUI v0.8.0's execution.validate_prompt.

The structure deliberately follows the original (same lookups in the same order)
so malformed links fail with the same Python exceptions and texts that ComfyUI
reports as exception_during_validation (e.g. KeyError '99', IndexError "tuple
index out of range").
"""
import sys
import traceback


_CONVERT = {"INT": int, "FLOAT": float, "STRING": str, "BOOLEAN": bool}


def _error(kind, message, details, extra_info):
    return {"type": kind, "message": message, "details": details, "extra_info": extra_info}


def _full_type_name(klass):
    return klass.__qualname__ if klass.__module__ == "builtins" else f"{klass.__module__}.{klass.__qualname__}"


def _input_info(spec, name):
    for category in ("required", "optional"):
        entry = spec["input"].get(category, {}).get(name)
        if entry is not None:
            return entry[0], category, (entry[1] if len(entry) > 1 else {})
    return None, None, None


def _types_match(received, expected):
    if isinstance(expected, list):  # a combo fed by a link
        return received == "COMBO"
    if "*" in (received, expected) or received == expected:
        return True
    return set(received.split(",")) <= set(expected.split(","))


class Validator:
    """One validation run. `custom` maps class_type -> (input names, check(inputs) -> True|message),
    the stand-in's equivalent of a node's VALIDATE_INPUTS."""

    def __init__(self, specs, custom):
        self.specs = specs
        self.custom = custom

    def validate_inputs(self, prompt, unique_id, validated):
        if unique_id in validated:
            return validated[unique_id]
        inputs = prompt[unique_id]["inputs"]
        class_type = prompt[unique_id]["class_type"]
        spec = self.specs[class_type]
        custom_names, custom_check = self.custom.get(class_type, ((), None))
        # ComfyUI walks a set (arbitrary order); declaration order keeps answers deterministic.
        valid_inputs = list(spec["input"].get("required", {})) + list(spec["input"].get("optional", {}))
        errors = []
        valid = True
        for x in valid_inputs:
            input_type, category, extra_info = _input_info(spec, x)
            if x not in inputs:
                if category == "required":
                    errors.append(_error("required_input_missing", "Required input is missing", f"{x}",
                                         {"input_name": x}))
                continue
            val = inputs[x]
            info = (input_type, extra_info)
            if isinstance(val, list):
                if len(val) != 2:
                    errors.append(_error("bad_linked_input",
                                         "Bad linked input, must be a length-2 list of [node_id, slot_index]", f"{x}",
                                         {"input_name": x, "input_config": info, "received_value": val}))
                    continue
                o_id = val[0]
                o_class_type = prompt[o_id]["class_type"]
                r = tuple(self.specs[o_class_type]["output"])
                received_type = r[val[1]]
                if not _types_match(received_type, input_type):
                    details = f"{x}, received_type({received_type}) mismatch input_type({input_type})"
                    errors.append(_error("return_type_mismatch", "Return type mismatch between linked nodes", details,
                                         {"input_name": x, "input_config": info, "received_type": received_type,
                                          "linked_node": val}))
                    continue
                try:
                    if self.validate_inputs(prompt, o_id, validated)[0] is False:
                        valid = False
                        continue
                except Exception as ex:
                    typ, _, tb = sys.exc_info()
                    valid = False
                    validated[o_id] = (False, [_error(
                        "exception_during_inner_validation", "Exception when validating inner node", str(ex),
                        {"input_name": x, "input_config": info, "exception_message": str(ex),
                         "exception_type": _full_type_name(typ), "traceback": traceback.format_tb(tb),
                         "linked_node": val})], o_id)
                    continue
            else:
                try:
                    if isinstance(val, dict) and "__value__" in val:
                        val = val["__value__"]
                        inputs[x] = val
                    convert = _CONVERT.get(input_type) if isinstance(input_type, str) else None
                    if convert is not None:
                        val = convert(val)
                        inputs[x] = val
                except Exception as ex:
                    errors.append(_error("invalid_input_type",
                                         f"Failed to convert an input value to a {input_type} value",
                                         f"{x}, {val}, {ex}",
                                         {"input_name": x, "input_config": info, "received_value": val,
                                          "exception_message": str(ex)}))
                    continue
                if x in custom_names:
                    continue  # like ComfyUI: an input checked by VALIDATE_INPUTS skips the generic checks
                if "min" in extra_info and val < extra_info["min"]:
                    errors.append(_error("value_smaller_than_min",
                                         "Value {} smaller than min of {}".format(val, extra_info["min"]), f"{x}",
                                         {"input_name": x, "input_config": info, "received_value": val}))
                    continue
                if "max" in extra_info and val > extra_info["max"]:
                    errors.append(_error("value_bigger_than_max",
                                         "Value {} bigger than max of {}".format(val, extra_info["max"]), f"{x}",
                                         {"input_name": x, "input_config": info, "received_value": val}))
                    continue
                if isinstance(input_type, list) and val not in input_type:
                    # ComfyUI does not echo huge lists (e.g. scanned model files).
                    if len(input_type) > 20:
                        list_info, input_config = f"(list of length {len(input_type)})", None
                    else:
                        list_info, input_config = str(input_type), info
                    errors.append(_error("value_not_in_list", "Value not in list", f"{x}: '{val}' not in {list_info}",
                                         {"input_name": x, "input_config": input_config, "received_value": val}))
                    continue
        if custom_check is not None:
            for x in (n for n in custom_names if n in inputs):
                result = custom_check(inputs)
                if result is not True:
                    details = f"{x}" if result is False else f"{x} - {result}"
                    errors.append(_error("custom_validation_failed", "Custom validation failed for node", details,
                                         {"input_name": x}))
        ret = (False, errors, unique_id) if errors or valid is not True else (True, [], unique_id)
        validated[unique_id] = ret
        return ret

    def validate_prompt(self, prompt):
        """Returns (ok, error, good_outputs, node_errors) like ComfyUI."""
        outputs = []
        for x in prompt:
            if "class_type" not in prompt[x]:
                return (False, _error("invalid_prompt",
                                      "Cannot execute because a node is missing the class_type property.",
                                      f"Node ID '#{x}'", {}), [], {})
            class_type = prompt[x]["class_type"]
            if class_type not in self.specs:
                return (False, _error("invalid_prompt", f"Cannot execute because node {class_type} does not exist.",
                                      f"Node ID '#{x}'", {}), [], {})
            if self.specs[class_type]["output_node"] is True:
                outputs.append(x)
        if not outputs:
            return (False, _error("prompt_no_outputs", "Prompt has no outputs", "", {}), [], {})

        good_outputs, failed, node_errors, validated = [], [], {}, {}
        for o in outputs:
            try:
                valid, reasons, _ = self.validate_inputs(prompt, o, validated)
            except Exception as ex:
                typ, _, tb = sys.exc_info()
                valid = False
                reasons = [_error("exception_during_validation", "Exception when validating node", str(ex),
                                  {"exception_type": _full_type_name(typ), "traceback": traceback.format_tb(tb)})]
                validated[o] = (False, reasons, o)
            if valid is True:
                good_outputs.append(o)
                continue
            failed.append(reasons)
            # As in ComfyUI: every node that failed so far gets this output as a dependent.
            for node_id, (node_valid, node_reasons, _) in validated.items():
                if node_valid is not True and node_reasons:
                    entry = node_errors.setdefault(node_id, {
                        "errors": node_reasons, "dependent_outputs": [], "class_type": prompt[node_id]["class_type"]})
                    entry["dependent_outputs"].append(o)
        if not good_outputs:
            details = "\n".join(f"{e['message']}: {e['details']}" for reasons in failed for e in reasons)
            return (False, _error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details, {}),
                    [], node_errors)
        return (True, None, good_outputs, node_errors)
