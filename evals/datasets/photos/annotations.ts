/**
 * Hand-written captions, VQA questions and multiple-choice questions for the bundled photos,
 * written by this project while looking at each downscaled image. Answers are kept to what is
 * plainly visible; accepted spellings get at least 4 of the 10 VQA answers so each scores 1.0.
 *
 * @module
 */

/** A VQA question: the main answer, plus accepted variants (4 copies each of the 10). */
export interface PhotoQuestion {
  /** The question text. */
  question: string;
  /** The main answer. */
  answer: string;
  /** Other accepted spellings (each gets 4 of the 10 answers). */
  variants?: string[];
  /** VQA answer type. */
  answerType: "yes/no" | "number" | "other";
}

/** A multiple-choice question; `answer` is the index of the correct option. */
export interface PhotoChoice {
  /** The question text. */
  question: string;
  /** The options, in display order. */
  options: string[];
  /** Index of the correct option. */
  answer: number;
}

/** Everything written for one photo. */
export interface PhotoAnnotation {
  /** Reference captions. */
  captions: string[];
  /** VQA questions. */
  questions: PhotoQuestion[];
  /** Multiple-choice questions. */
  choices: PhotoChoice[];
}

const yes = (question: string): PhotoQuestion => ({
  question,
  answer: "yes",
  answerType: "yes/no",
});
const no = (question: string): PhotoQuestion => ({ question, answer: "no", answerType: "yes/no" });
const other = (question: string, answer: string, ...variants: string[]): PhotoQuestion => ({
  question,
  answer,
  variants,
  answerType: "other",
});

/** Annotations by photo id (see `sources.ts`). */
export const PHOTO_ANNOTATIONS: Record<string, PhotoAnnotation> = {
  astronaut: {
    captions: [
      "A smiling astronaut in an orange spacesuit poses next to an American flag.",
      "A woman astronaut in an orange flight suit with a black helmet in front of her.",
      "Portrait of a short-haired woman in an orange space suit with a space shuttle model behind her.",
      "An astronaut poses for an official portrait with a flag and a model of the space shuttle.",
      "A smiling woman wearing an orange pressure suit next to her helmet.",
    ],
    questions: [
      other("What color is her suit?", "orange"),
      yes("Is she smiling?"),
      no("Is she wearing the helmet?"),
      other("What is the model behind her on the right?", "space shuttle", "shuttle"),
    ],
    choices: [
      {
        question: "What is the person in the photo?",
        options: ["a chef", "an astronaut", "a firefighter", "a doctor"],
        answer: 1,
      },
      {
        question: "What is in the bottom right corner of the photo?",
        options: ["a helmet", "a book", "a cup", "a camera"],
        answer: 0,
      },
    ],
  },
  camera: {
    captions: [
      "A black and white photo of a man looking through a camera on a tripod.",
      "A man in a dark coat films with a camera mounted on a tripod in a grassy field.",
      "A photographer bends over a tripod-mounted camera in an open field.",
      "A man operating a video camera on a tripod with buildings in the distance.",
      "Black and white image of a man with a camera on a tripod in a park.",
    ],
    questions: [
      no("Is this photo in color?"),
      other("What is the camera standing on?", "tripod"),
      other("What is the man wearing?", "coat", "overcoat"),
      { question: "How many people are in the photo?", answer: "1", answerType: "number" },
    ],
    choices: [{
      question: "What is the man doing?",
      options: ["reading a book", "filming with a camera", "riding a bike", "eating lunch"],
      answer: 1,
    }],
  },
  chelsea: {
    captions: [
      "A close-up of a tabby cat's face with green eyes.",
      "A tabby cat with yellow-green eyes and a pink nose.",
      "Close up of the face of a brown striped cat.",
      "A striped cat looking at something off camera.",
      "The face of a tabby cat with long white whiskers.",
    ],
    questions: [
      other("What animal is this?", "cat"),
      other("What color are the cat's eyes?", "green", "yellow"),
      no("Is the cat asleep?"),
    ],
    choices: [{
      question: "What animal is shown?",
      options: ["a dog", "a rabbit", "a cat", "a fox"],
      answer: 2,
    }],
  },
  coffee: {
    captions: [
      "A cup of espresso on a red saucer with a spoon on a wooden table.",
      "An espresso cup and saucer with a small metal spoon on a wooden surface.",
      "A small cup of coffee sitting on a saucer on a wooden table.",
      "A red and white espresso cup with a spoon on its saucer.",
      "A shot of espresso in a cup that is white inside, on a wooden bar.",
    ],
    questions: [
      other("What drink is in the cup?", "coffee", "espresso"),
      yes("Is there a spoon?"),
      other("What is the table made of?", "wood", "wooden"),
      no("Is the cup empty?"),
    ],
    choices: [{
      question: "What is next to the cup on the saucer?",
      options: ["a spoon", "a fork", "a cookie", "a napkin"],
      answer: 0,
    }],
  },
  rocket: {
    captions: [
      "A rocket on a launch pad at dusk surrounded by tall towers.",
      "A white rocket standing on the launch pad between lightning towers at night.",
      "A tall rocket lit up on a launch pad under a deep blue sky.",
      "A Falcon 9 rocket waiting to launch at twilight.",
      "A rocket stands upright on its launch pad with bright lights below.",
    ],
    questions: [
      other("What is in the center of the picture?", "rocket"),
      no("Is it daytime?"),
      other("What color is the rocket?", "white"),
      { question: "How many tall towers are there?", answer: "4", answerType: "number" },
    ],
    choices: [{
      question: "Where is the rocket?",
      options: ["on a launch pad", "in a hangar", "in the sea", "in a museum"],
      answer: 0,
    }],
  },
  grace_hopper: {
    captions: [
      "An elderly woman in a navy uniform and cap in front of an American flag.",
      "Portrait of an older woman wearing glasses and a dark military uniform.",
      "A naval officer with glasses and a white collar posing in front of a flag.",
      "An old woman in a black uniform with ribbons and a name tag.",
      "Official portrait of a woman in a navy officer's uniform and hat.",
    ],
    questions: [
      yes("Is the woman wearing glasses?"),
      other("What color is her uniform?", "black", "navy"),
      other("What is behind her on the left?", "flag", "american flag"),
      no("Is there a dog in the photo?"),
    ],
    choices: [{
      question: "What is she wearing on her head?",
      options: ["a helmet", "a military cap", "a crown", "nothing"],
      answer: 1,
    }],
  },
  raccoon: {
    captions: [
      "A raccoon peeking out from between green palm leaves.",
      "A close-up of a raccoon with a black mask lying among green leaves.",
      "A raccoon rests on green fronds and looks at the camera.",
      "A gray raccoon face surrounded by green plants.",
      "A curious raccoon looking out of a green bush.",
    ],
    questions: [
      other("What animal is this?", "raccoon"),
      other("What color are the leaves?", "green"),
      yes("Is the animal looking at the camera?"),
      no("Is the animal in water?"),
    ],
    choices: [{
      question: "Which animal is in the picture?",
      options: ["a cat", "a raccoon", "a dog", "a bear"],
      answer: 1,
    }],
  },
  bridge: {
    captions: [
      "A lit suspension bridge over a river at night.",
      "A stone bridge tower with glowing lights reflected in the river at dusk.",
      "A suspension bridge illuminated at night with city lights across the water.",
      "An old bridge with lights along its cables over a dark river.",
      "A boat on the river beside an illuminated suspension bridge at night.",
    ],
    questions: [
      yes("Is it night?"),
      other("What is over the river?", "bridge"),
      yes("Is there a boat on the water?"),
      no("Is it snowing?"),
    ],
    choices: [{
      question: "What kind of bridge is this?",
      options: ["a suspension bridge", "a drawbridge", "a wooden footbridge", "a railway viaduct"],
      answer: 0,
    }],
  },
  citrus: {
    captions: [
      "Slices of oranges, lemons and limes lit from behind.",
      "Backlit slices of citrus fruit on a white background.",
      "Round slices of orange, lemon and lime arranged on a white surface.",
      "Colorful cross sections of citrus fruits glowing with light.",
      "Thin slices of oranges, lemons and limes laid out together.",
    ],
    questions: [
      other("Are the fruits whole or sliced?", "sliced"),
      yes("Are there any limes?"),
      no("Is there a banana?"),
      other("What color is the background?", "white"),
    ],
    choices: [{
      question: "Which fruits are shown?",
      options: ["apples and pears", "oranges, lemons and limes", "grapes", "strawberries"],
      answer: 1,
    }],
  },
  honey_bee: {
    captions: [
      "A honey bee collecting nectar from a purple flower with a yellow center.",
      "A close-up of a bee on a purple aster.",
      "A bee sits on the yellow center of a lavender flower.",
      "A striped honey bee feeding on a purple daisy-like flower.",
      "Macro photo of a bee on a violet flower.",
    ],
    questions: [
      other("What is the big insect on the flower?", "bee", "honey bee"),
      other("What color are the petals?", "purple", "violet"),
      no("Is the bee flying?"),
    ],
    choices: [{
      question: "What is the bee sitting on?",
      options: ["a leaf", "a flower", "a rock", "a hand"],
      answer: 1,
    }],
  },
};
